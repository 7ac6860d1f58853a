import CaspioTestSupport
import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import CaspioClient

/// A stop reaches the token grant it interrupts: cancelled with everyone who waits for it,
/// and never cancelled for someone who still does.
@Suite struct TokenStopTests {
    /// A client whose token requests go through `faulty` (and on to `fake` when forwarded).
    static func client(_ faulty: FaultyServer, _ fake: EmulatedCaspio) throws -> CaspioClient {
        let configuration = ClientConfiguration(
            baseURL: URL(string: fake.baseURL)!, tokenURL: URL(string: faulty.origin + "/oauth/token")!,
            clientID: fake.settings.clientID, clientSecret: Secret(fake.settings.clientSecret), connectTimeout: 2,
            readTimeout: 60)
        return try CaspioClient(configuration: configuration, logger: CapturedLogs().logger())
    }

    static func grants(_ faulty: FaultyServer) -> Int { faulty.requests.filter { $0.path.hasSuffix("/oauth/token") }.count }

    /// The REPL's Ctrl-C, a map's failed task: the only caller waiting for a grant to a hung
    /// endpoint is cancelled; the grant ends with it (not at the token timeout, 30 s), and the
    /// next caller starts a fresh grant rather than join the hung one.
    @Test func cancellingTheOnlyWaiterEndsAGrantToAHungEndpoint() async throws {
        let fake = try await EmulatedCaspio.start()
        let hung = NIOLockedValueBox(true)
        let faulty = try FaultyServer(upstream: fake.origin) { _ in hung.withLockedValue { $0 } ? .hang : .forward }
        defer { faulty.shutdown() }
        let client = try Self.client(faulty, fake)
        let waiter = Task { try await client.tokens.validToken() }
        #expect(await eventually(seconds: 10) { Self.grants(faulty) == 1 })
        let cancelled = Date()
        waiter.cancel()
        _ = await waiter.result
        #expect(Date().timeIntervalSince(cancelled) < 2, "the grant outlived its caller by \(Date().timeIntervalSince(cancelled))s")
        try await Task.sleep(for: .milliseconds(300))
        #expect(Self.grants(faulty) == 1, "no grant starts after the stop")
        hung.withLockedValue { $0 = false }
        let token = try await client.tokens.validToken()
        #expect(!token.accessToken.isEmpty)
        #expect(Self.grants(faulty) == 2)
        await client.shutdown()
    }

    /// One of two callers waiting for the same grant is cancelled: the other still gets the
    /// token, from that one grant.
    @Test func aGrantGoesOnForTheCallersStillWaiting() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.delayTokens(0.5)
        let faulty = try FaultyServer(upstream: fake.origin) { _ in .forward }
        defer { faulty.shutdown() }
        let client = try Self.client(faulty, fake)
        let first = Task { try await client.tokens.validToken() }
        #expect(await eventually(seconds: 10) { Self.grants(faulty) == 1 })
        let second = Task { try await client.tokens.validToken() }
        try await Task.sleep(for: .milliseconds(50))
        first.cancel()
        let token = try await second.value
        #expect(!token.accessToken.isEmpty)
        #expect(Self.grants(faulty) == 1)
        await client.shutdown()
    }
}
