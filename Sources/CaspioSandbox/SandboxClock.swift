#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The sandbox's one time, for token lifetimes, rate limits, the TIMESTAMP fields it stamps
/// and the pauses of webhook deliveries: the wall clock when it started, moved on by any
/// `Clock<Duration>` (the real one serves; a test's moves only when the test says, so all of
/// it runs in virtual time), or dates a test sets outright.
public struct SandboxClock: Sendable {
    public let now: @Sendable () -> Date
    /// Waits this many seconds of this clock's time (throws when the task is cancelled).
    public let sleep: @Sendable (Double) async throws -> Void

    /// Time as `clock` moves it, from `start`.
    public init(_ clock: any Clock<Duration>, from start: Date = Date()) { self.init(opened: clock, start) }

    /// The dates `dates` gives (a test's settable wall clock); pauses take real time.
    public init(dates: @escaping @Sendable () -> Date) {
        now = dates
        sleep = { seconds in try await Task.sleep(for: .milliseconds(Int64(seconds * 1000))) }
    }

    /// Real time.
    public static var real: SandboxClock { SandboxClock(ContinuousClock()) }

    private init<C: Clock<Duration>>(opened clock: C, _ start: Date) {
        let origin = clock.now
        now = {
            let elapsed = origin.duration(to: clock.now).components
            return start.addingTimeInterval(Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18)
        }
        sleep = { seconds in try await clock.sleep(for: .milliseconds(Int64(seconds * 1000))) }
    }
}
