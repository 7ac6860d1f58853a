import CaspioClient
import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// caspio.sleep waits on the module's clock: with a test's, a day passes when the test says.
/// The tests drive the clock off Swift's pool, which other tests' blocking waits may hold.
@Suite struct VirtualTimeTests {
    @Test func aSleepEndsWhenItsClockReachesItsEndAndNotBefore() async throws {
        let clock = TestClock()
        let lua = try InProcessLua(clock: clock)
        let outcome = await withTaskExecutorPreference(RequestExecutor.shared) {
            async let outcome = lua.run("caspio.sleep(86400) return 'woke'", timeout: 30)
            #expect(await waitFor(10) { clock.sleeping == 1 }, "the sleep waits on the clock")
            clock.advance(by: .seconds(86399))
            #expect(clock.sleeping == 1, "a second early, still asleep")
            clock.advance(by: .seconds(1))
            return await outcome
        }
        guard case .values(let values) = outcome else {
            Issue.record("the sleep did not end: \(outcome)")
            return
        }
        #expect(values == [.string("woke")])
    }

    @Test func zeroAndHugeSleepsAreValid() async throws {
        let clock = TestClock()
        let lua = try InProcessLua(clock: clock)
        let outcome = await withTaskExecutorPreference(RequestExecutor.shared) {
            async let outcome = lua.run("caspio.sleep(0) caspio.sleep(math.huge) return 'woke'", timeout: 30)
            #expect(await waitFor(10) { clock.sleeping == 1 })
            clock.advance(by: .seconds(200 * 365 * 86400))
            return await outcome
        }
        guard case .values = outcome else {
            Issue.record("the sleep did not end: \(outcome)")
            return
        }
    }

    /// caspio.stats().duration (and so --summary) is measured on the module's clock too.
    @Test func theRunsDurationIsMeasuredOnTheModulesClock() async throws {
        let clock = TestClock()
        let lua = try InProcessLua(clock: clock)
        clock.advance(by: .seconds(90))
        #expect(await lua.values("return caspio.stats().duration == 90") == [true])
    }
}
