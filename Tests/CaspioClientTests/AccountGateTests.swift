import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// The account gate in process, on a small scale: pacing across concurrent tasks, and one
/// pause for everyone on a lockout.
@Suite struct AccountGateTests {
    /// Off Swift's pool, where a busy pool (other tests) cannot slow the burst down.
    static func send(_ client: CaspioClient, _ count: Int, concurrency: Int) async throws -> [Int] {
        try await withTaskExecutorPreference(RequestExecutor.shared) { try await burst(client, count, concurrency: concurrency) }
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

    @Test func theRateSpacesRequestsOfConcurrentTasks() async throws {
        let fake = try FakeCaspio()
        let plain = try makeClient(fake)
        await plain.shutdown()
        var configuration = plain.configuration
        configuration.rate = 40
        let client = try CaspioClient(configuration: configuration, logger: CapturedLogs().logger())
        let began = ContinuousClock.now
        let statuses = try await Self.send(client, 21, concurrency: 8)
        let elapsed = AccountGate.seconds(began.duration(to: .now))
        await client.shutdown()
        #expect(statuses == Array(repeating: 200, count: 21))
        // 22 starts (the token first) 25 ms apart.
        #expect(elapsed >= 0.5, "\(elapsed)")
    }

    @Test func aLockoutPausesEveryRequestOnceAndTheRunSlowsDown() async throws {
        let fake = try FakeCaspio()
        fake.limit(FakeAccountLimiter(maxRequests: 10, window: 1, lockout: 1))
        let client = try makeClient(fake)
        let statuses = try await Self.send(client, 30, concurrency: 8)
        await client.shutdown()
        let limiter = try #require(fake.limiter)
        #expect(statuses == Array(repeating: 200, count: 30))
        #expect(limiter.lockouts >= 1 && limiter.lockouts <= 3, "\(limiter.lockouts) lockouts, \(limiter.refusals) refusals")
        let stats = client.counters.snapshot
        #expect(stats.throttled == limiter.refusals)
        // Retry-After (1 s) is honoured in full, though the client's own backoff is capped at 50 ms.
        #expect(stats.paused >= Double(limiter.lockouts) - 0.1, "\(stats.paused)")
        #expect(stats.requests == 30 + limiter.refusals)
    }
}
