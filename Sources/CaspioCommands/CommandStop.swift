import ArgumentParser
import Foundation
import LuaBridge

/// A command that stops as `run` does: a SIGTERM or Ctrl-C is recorded rather than fatal, the
/// work in flight is cancelled (requests, a token grant, a secret command's process group is
/// killed) and the command exits with the usual code (143, 130) within 2 s, having left
/// nothing running behind it.
protocol StopsLikeRun {}

enum CommandStop {
    /// How long cancelled work may take to wind down before the command exits without it.
    static let grace: Double = 1.5

    /// The work was abandoned because of a stop; the exit status says which.
    struct Stopped: Error {}

    /// Where a `StopsLikeRun` command's work starts (after any read of the terminal or
    /// standard input, which a recorded Ctrl-C would not end): signals are recorded from now on.
    static func begin() { RunStop.armSignals(whenIdle: .record) }

    /// The exit status a stop imposes, with its one-line message; nil without a stop.
    /// `timeout` is the run's --timeout, for its message.
    static func status(timeout: Double? = nil) -> ExitStatus? {
        switch RunStop.reason {
        case .interrupt:
            return .interrupted
        case .timeout:
            printError("timeout: the run did not finish within \(timeout.map { String(format: "%g", $0) } ?? "?") seconds (--timeout)")
            return .timeout
        case .terminate:
            printError("terminated (SIGTERM)")
            return .terminated
        case .none:
            return nil
        }
    }

    /// Waits for async work from a command; a stop cancels it and waits at most `grace` for it
    /// to end, then throws `Stopped` (the command's exit status is the stop's).
    static func awaiting<T: Sendable, E: Error>(_ body: @escaping @Sendable () async throws(E) -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let result = LockedResult<T>()
        let task = Task.detached {
            do throws(E) { result.set(.success(try await body())) } catch { result.set(.failure(error)) }
            done.signal()
        }
        while done.wait(timeout: .now() + .milliseconds(50)) == .timedOut {
            guard RunStop.isRequested else { continue }
            task.cancel()
            guard done.wait(timeout: .now() + .milliseconds(Int(grace * 1000))) == .success else { throw Stopped() }
            break
        }
        if RunStop.isRequested { throw Stopped() }
        return try result.get()
    }
}

/// The outcome of work on another thread, handed over under a lock.
private final class LockedResult<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: Result<T, any Error>?

    func set(_ value: Result<T, any Error>) { lock.withLock { outcome = value } }
    func get() throws -> T { try lock.withLock { outcome! }.get() }
}
