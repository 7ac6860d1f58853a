import CaspioTestSupport
import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import CaspioClient

/// Throttling that holds throughput: a refusal pauses the run and it resumes gently, a bare
/// 503 is one request's retry, the pace recovers within seconds, Ctrl-C ends a pause. The
/// throughput goals run as simulations in virtual time; the gate itself on a test clock.
@Suite struct ThrottlingTests {
    // MARK: Goals, simulated

    @Test func withoutARateTheRunFindsTheLimitersPaceWithinOneAndAHalfTimesAGoodRate() {
        let simulation = PacingSimulation(server: .limiter(maxRequests: 10, window: 1, lockout: 2))
        let paced = simulation.run(count: 160, concurrency: 8, rate: 8)
        let unpaced = simulation.run(count: 160, concurrency: 8, rate: nil)
        #expect(paced.lockouts == 0)
        #expect(unpaced.failures == 0 && paced.failures == 0)
        #expect(unpaced.lockouts >= 1 && unpaced.lockouts <= 3, "\(unpaced)")
        #expect(unpaced.seconds <= 1.5 * paced.seconds, "unpaced \(unpaced.seconds)s, --rate 8 \(paced.seconds)s")
    }

    @Test func fivePercentBare503sCostAtMostThreeTimesNone() {
        let clean = PacingSimulation(server: .flaky(share: 0, retryAfter: nil)).run(count: 500, concurrency: 8, rate: nil)
        for seed: UInt64 in 1...5 {
            let flaky = PacingSimulation(server: .flaky(share: 0.05, retryAfter: nil), seed: seed).run(count: 500, concurrency: 8, rate: nil)
            #expect(flaky.failures == 0)
            #expect(flaky.pauses == 0, "a bare 503 is no verdict on the account")
            #expect(flaky.seconds <= 3 * clean.seconds, "\(flaky.seconds)s against \(clean.seconds)s")
        }
    }

    @Test func after503sWithRetryAfterThePaceRecoversWithinSeconds() {
        let clean = PacingSimulation(server: .flaky(share: 0, retryAfter: nil)).run(count: 500, concurrency: 8, rate: nil)
        let flaky = PacingSimulation(server: .flaky(share: 0.05, retryAfter: 1)).run(count: 500, concurrency: 8, rate: nil)
        #expect(flaky.failures == 0)
        #expect(flaky.pauses >= 5)
        // The pauses themselves are the server's to ask; what the run loses besides them is
        // the gentle resumption, a matter of seconds, not a pace that collapses.
        #expect(flaky.seconds - flaky.paused <= 3 * clean.seconds + Double(flaky.pauses) * 0.5, "\(flaky)")
    }

    @Test func thePaceAfterAPauseRampsFromHalfBackToFullInTwoSeconds() {
        var pacer = AccountPacer(rate: nil)
        let ms = { (n: Int) in Duration.milliseconds(n) }
        // 50 successes in the last half second: about 100 a second.
        for i in 0..<50 { _ = pacer.leave(sentAt: ms(i * 10), .accepted, at: ms(i * 10 + 5)) }
        pacer.inFlight = 1
        let closing = pacer.leave(sentAt: ms(500), .refused(pause: 1, limiter: false), at: ms(505))
        #expect(closing?.began == true)
        #expect(closing?.seconds == 1)
        let half = pacer.rate(at: ms(1505)) ?? 0
        #expect(half > 40 && half < 60, "\(half)")
        #expect(pacer.rate(at: ms(3600)) == nil, "full (unpaced) again")
        #expect(pacer.learnedRate == nil, "a 503 teaches nothing of the account's limit")
    }

    // MARK: The gate in virtual time

    @Test func aPauseHoldsEveryRequestUntilTheTimeGiven() async throws {
        let clock = TestClock()
        let counters = Counters()
        let gate = AccountGate(rate: nil, counters: counters, clock: clock)
        let first = try await gate.enter()
        gate.leave(first, .refused(pause: 30, limiter: true))
        let waiting = Task(executorPreference: RequestExecutor.shared) { try await gate.enter() }
        #expect(await waitFor(5) { clock.sleeping == 1 })
        clock.advance(by: .seconds(29))
        #expect(clock.sleeping == 1)
        clock.advance(by: .seconds(1))
        let pass = try await finished(waiting, within: 5)
        #expect(pass.sentAt == .seconds(30))
        let stats = counters.snapshot
        #expect(stats.throttled == 1 && stats.pauses == 1 && stats.paused == 30)
    }

    @Test func ctrlCEndsAPauseAtOnce() async throws {
        let clock = TestClock()
        let gate = AccountGate(rate: nil, counters: Counters(), clock: clock)
        let first = try await gate.enter()
        gate.leave(first, .refused(pause: 300, limiter: true))
        let waiting = Task(executorPreference: RequestExecutor.shared) { try await gate.enter() }
        #expect(await waitFor(5) { clock.sleeping == 1 })
        waiting.cancel()
        gate.endPause()
        await #expect(throws: CaspioError.self) { try await finished(waiting, within: 5) }
        // What the user does next does not wait out the pause: no time has passed.
        let next = try await gate.enter()
        #expect(next.sentAt == .zero)
    }

    // MARK: Over HTTP

    @Test func aBare503IsRetriedAloneAndPausesNothing() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script([.json(503, ["Code": "ServiceUnavailable", "Message": "busy"])])
        let response = try await client.send(CaspioRequest("GET", "tables"))
        await client.shutdown()
        #expect(response.status == 200)
        #expect(fake.resourceRequests.count == 2)
        let stats = client.counters.snapshot
        #expect(stats.retries == 1 && stats.throttled == 0 && stats.pauses == 0)
    }

    @Test func aLongPauseIsSaidOnceAtTheDefaultLevelAndCounted() async throws {
        let fake = try await EmulatedCaspio.start()
        let logs = CapturedLogs()
        let plain = try makeClient(fake)
        await plain.shutdown()
        let clock = TestClock()
        let client = try CaspioClient(configuration: plain.configuration, logger: logs.logger(), clock: clock)
        _ = try await client.tokens.validToken()
        var refusal = TestHTTPServer.Reply.json(429, ["Code": "TooManyRequests", "Message": "slow down"], headers: [("Retry-After", "5")])
        refusal.delay = 0.3  // all three reach the server before the first is refused
        fake.script([refusal, refusal, refusal])
        let statuses = Task(executorPreference: RequestExecutor.shared) {
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 { group.addTask { try await client.send(CaspioRequest("GET", "tables")).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        #expect(await waitFor(10) { clock.sleeping == 3 })
        clock.advance(by: .seconds(5))
        let answered = try await finished(statuses, within: 20)
        await client.shutdown()
        #expect(answered == [200, 200, 200])
        let warnings = logs.text.split(separator: "\n").filter { $0.hasPrefix("warning") }
        #expect(warnings.count == 1, "\(logs.text)")
        #expect(warnings.first?.contains("HTTP 429 from GET") == true)
        #expect(warnings.first?.contains("pauses 5.0s, then resumes at") == true, "\(warnings)")
        let stats = client.counters.snapshot
        #expect(stats.throttled == 3 && stats.pauses == 1)
        #expect(stats.paused >= 5 && stats.paused < 5.1, "\(stats.paused)")
    }
}

/// The task's value, or the task cancelled (and the test failed) after `seconds` of real time.
func finished<T: Sendable>(_ task: Task<T, Error>, within seconds: Double) async throws -> T {
    let watchdog = Task {
        try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        Issue.record("not finished within \(seconds)s")
        task.cancel()
    }
    defer { watchdog.cancel() }
    return try await task.value
}
