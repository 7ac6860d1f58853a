import NIOConcurrencyHelpers

/// A clock that moves only when a test says so, for time-based logic in virtual time: sleeps
/// end when `advance` passes their deadline, or at once (throwing) when their task is cancelled.
public final class TestClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        public var offset: Swift.Duration
        public func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        public static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private struct Sleeper {
        let id: Int
        let deadline: Instant
        let continuation: CheckedContinuation<Void, Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public var now: Instant { state.withLockedValue { $0.now } }
    public var minimumResolution: Swift.Duration { .zero }

    /// Tasks asleep on this clock now.
    public var sleeping: Int { state.withLockedValue { $0.sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        let id = state.withLockedValue { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let now = state.withLockedValue { s -> Bool in
                    if deadline <= s.now || Task.isCancelled { return true }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLockedValue { s in
                s.sleepers.firstIndex { $0.id == id }.map { s.sleepers.remove(at: $0) }
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
        try Task.checkCancellation()
    }

    /// Moves the time on, waking every sleeper whose deadline has come.
    public func advance(by duration: Swift.Duration) {
        let woken = state.withLockedValue { s -> [Sleeper] in
            s.now = s.now.advanced(by: duration)
            let now = s.now
            let due = s.sleepers.filter { $0.deadline <= now }
            s.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }
}

extension TestClock {
    /// Runs `task` to its end in virtual time: whenever something sleeps on this clock (a
    /// pause, a pace), the time moves on by `step`. The task is cancelled, and this throws,
    /// past `seconds` of real time.
    public func drive<T: Sendable>(_ task: Task<T, Error>, step: Duration = .milliseconds(10), within seconds: Double = 20) async throws -> T {
        let done = NIOLockedValueBox(false)
        let watched = Task {
            defer { done.withLockedValue { $0 = true } }
            return try await task.value
        }
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while !done.withLockedValue({ $0 }) {
            if ContinuousClock.now > deadline {
                task.cancel()
                throw Overran(seconds: seconds)
            }
            if sleeping > 0 { advance(by: step) }
            try await Task.sleep(for: .milliseconds(1))
        }
        return try await watched.value
    }

    public struct Overran: Error, CustomStringConvertible {
        public let seconds: Double
        public var description: String { "not finished within \(seconds) s of real time" }
    }
}
