import LuaBridge
import Foundation
import Glibc

/// Enforces --timeout: at the deadline it stops Lua as Ctrl-C would (blocked waits return,
/// the hook raises "timeout!"); if the run has still not ended after a grace period (a script
/// that swallows the error, a C call that never returns) it ends the process with 124 itself.
final class Watchdog: @unchecked Sendable {
    static let grace: Double = 5
    private let finished = DispatchSemaphore(value: 0)

    init(seconds: Double, beforeHardExit: @escaping @Sendable () -> Void) {
        let finished = finished
        let thread = Thread {
            guard finished.wait(timeout: .now() + seconds) == .timedOut else { return }
            RunStop.request(.timeout)
            guard finished.wait(timeout: .now() + Watchdog.grace) == .timedOut else { return }
            printError("timeout: the run did not stop within \(Int(Watchdog.grace))s of its --timeout; ending it")
            beforeHardExit()
            _exit(ExitStatus.timeout.rawValue)
        }
        thread.start()
    }

    /// The run is over (including clean-up); the watchdog stands down.
    func finish() { finished.signal() }
}
