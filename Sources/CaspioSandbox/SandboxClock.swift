#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The sandbox's one time, for token lifetimes, rate limits and the TIMESTAMP fields it
/// stamps: the wall clock when it started, moved on by any `Clock<Duration>` (the real one
/// serves; a test's moves only when the test says, so all of it runs in virtual time), or
/// dates a test sets outright.
public struct SandboxClock: Sendable {
    public let now: @Sendable () -> Date

    /// Time as `clock` moves it, from `start`.
    public init(_ clock: any Clock<Duration>, from start: Date = Date()) { self.init(opened: clock, start) }

    /// The dates `dates` gives (a test's settable wall clock).
    public init(dates: @escaping @Sendable () -> Date) { now = dates }

    /// Real time.
    public static var real: SandboxClock { SandboxClock(ContinuousClock()) }

    private init<C: Clock<Duration>>(opened clock: C, _ start: Date) {
        let origin = clock.now
        now = {
            let elapsed = origin.duration(to: clock.now).components
            return start.addingTimeInterval(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
        }
    }
}
