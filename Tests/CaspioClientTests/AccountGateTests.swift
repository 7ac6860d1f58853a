import CaspioSandbox
import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// The account gate in process, on a small scale and in virtual time (the client's gate and
/// the emulator's limiter on one test clock): pacing across concurrent tasks, and one pause
/// for everyone on a lockout.
@Suite struct AccountGateTests {
    /// Off Swift's pool, where a busy pool (other tests) cannot slow the burst down; the clock
    /// moves on whenever a request waits on it.
    static func send(_ client: CaspioClient, _ count: Int, concurrency: Int, clock: TestClock) async throws -> [Int] {
        let running = Task(executorPreference: RequestExecutor.shared) { try await Self.burst(client, count, concurrency: concurrency) }
        return try await clock.drive(running)
    }

    private static func burst(_ client: CaspioClient, _ count: Int, concurrency: Int) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            var statuses: [Int] = []
            for i in 0..<count {
                if i >= concurrency, let status = try await group.next() { statuses.append(status) }
                group.addTask { try await client.send(CaspioRequest("GET", "tables")).status }
            }
            for try await status in group { statuses.append(status) }
            return statuses
        }
    }

    static func client(_ fake: EmulatedCaspio, clock: TestClock, rate: Double? = nil) async throws -> CaspioClient {
        let plain = try makeClient(fake)
        await plain.shutdown()
        var configuration = plain.configuration
        configuration.rate = rate
        return try CaspioClient(configuration: configuration, logger: CapturedLogs().logger(), clock: clock)
    }

    @Test func theRateSpacesRequestsOfConcurrentTasks() async throws {
        let fake = try await EmulatedCaspio.start()
        let clock = TestClock()
        let client = try await Self.client(fake, clock: clock, rate: 40)
        let began = clock.now
        let statuses = try await Self.send(client, 21, concurrency: 8, clock: clock)
        let elapsed = AccountGate.seconds(began.duration(to: clock.now))
        await client.shutdown()
        #expect(statuses == Array(repeating: 200, count: 21))
        // 22 starts (the token first) 25 ms apart.
        #expect(elapsed >= 0.5, "\(elapsed)")
    }

    @Test func aLockoutPausesEveryRequestOnceAndTheRunSlowsDown() async throws {
        let clock = TestClock()
        // More than 10 requests in a second lock the account for a second.
        let fake = try await EmulatedCaspio.start(clock: SandboxClock(clock)) {
            $0.rateLimit = SandboxSettings.RateLimit(requests: .max, window: 1, burstPerSecond: 10, lockout: 1)
        }
        let client = try await Self.client(fake, clock: clock)
        let statuses = try await Self.send(client, 30, concurrency: 8, clock: clock)
        await client.shutdown()
        let (lockouts, refusals) = (fake.sandbox.lockouts, fake.sandbox.rateLimited)
        #expect(statuses == Array(repeating: 200, count: 30))
        #expect(lockouts >= 1 && lockouts <= 3, "\(lockouts) lockouts, \(refusals) refusals")
        let stats = client.counters.snapshot
        #expect(stats.throttled == refusals)
        // Retry-After (1 s) is honoured in full, though the client's own backoff is capped at 50 ms.
        #expect(stats.paused >= Double(lockouts) - 0.1, "\(stats.paused)")
        #expect(stats.requests == 30 + refusals)
    }
}
