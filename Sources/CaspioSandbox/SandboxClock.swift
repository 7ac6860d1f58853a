import Foundation

/// The sandbox's time: the wall clock when it started, moved on by any `Clock<Duration>`. The
/// real one serves; a test's moves only when the test says, so token lifetimes and rate limits
/// run in virtual time.
struct SandboxClock: Sendable {
    let now: @Sendable () -> Date

    init(_ clock: any Clock<Duration>) { self.init(opened: clock) }

    private init<C: Clock<Duration>>(opened clock: C) {
        let origin = clock.now
        let started = Date()
        now = {
            let elapsed = origin.duration(to: clock.now).components
            return started.addingTimeInterval(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
        }
    }
}
