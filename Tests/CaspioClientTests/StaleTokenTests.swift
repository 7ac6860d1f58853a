import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// Caspio often answers a stale token with `400 IncorrectQueryParameter`: the client renews
/// and replays once when the token may be the cause, and a genuine 400 costs at most one extra
/// request and one token call per run.
@Suite struct StaleTokenTests {
    static func fake(staleIs400: Bool = true) async throws -> EmulatedCaspio {
        let fake = try await EmulatedCaspio.start { $0.staleTokenAs400 = staleIs400 }
        try fake.seed("T", count: 3)
        return fake
    }

    /// An emulator that holds each answer 50 ms, so that concurrent requests overlap at it.
    static func slowFake() async throws -> EmulatedCaspio {
        let fake = try await fake()
        fake.delay { _ in 0.05 }
        return fake
    }

    /// `request` sent by eight tasks at once: their statuses.
    static func eightAtOnce(_ client: CaspioClient, _ request: CaspioRequest) async throws -> [Int] {
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { try await client.send(request).status } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
    }

    static let badPage = CaspioRequest("GET", "tables/T/records", query: [("q.pageSize", "3"), ("q.pageNumber", "1")])

    /// Answered 400 IncorrectQueryParameter (as Caspio often does) or 401 alike.
    @Test(arguments: [true, false])
    func aStaleTokenIsRenewedAndTheRequestReplayed(answeredWith400: Bool) async throws {
        let fake = try await Self.fake(staleIs400: answeredWith400)
        let client = try makeClient(fake)
        _ = try await client.send(CaspioRequest("GET", "tables/T/records"))
        fake.revokeAccessTokens()
        let response = try await client.send(CaspioRequest("GET", "tables/T/records"))
        await client.shutdown()
        #expect(response.status == 200)
        #expect(fake.resourceRequests.count == 3)
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
    }

    @Test func aReplayedPostSendsItsBodyAgainAndWritesOnce() async throws {
        let fake = try await Self.fake()
        let client = try makeClient(fake)
        _ = try await client.send(CaspioRequest("GET", "tables/T/records"))
        fake.revokeAccessTokens()
        let body = Array(#"{"Name":"new"}"#.utf8)
        let response = try await client.send(CaspioRequest("POST", "tables/T/records", body: body))
        await client.shutdown()
        #expect(response.status == 201)
        let posts = fake.resourceRequests.filter { $0.method == "POST" }
        #expect(posts.count == 2)
        #expect(posts.allSatisfy { $0.bodyText == #"{"Name":"new"}"# })
        #expect(try fake.rows("T").count == 4)
    }

    @Test func aGenuine400CostsOneReplayAndOneTokenCallPerRun() async throws {
        let fake = try await Self.fake()
        let client = try makeClient(fake)
        for _ in 0..<4 {
            let response = try await client.send(Self.badPage)
            #expect(response.status == 400)
            #expect(response.error.code == "IncorrectQueryParameter")
            #expect(response.error.message.contains("q.pageSize"), "\(response.error)")
        }
        await client.shutdown()
        #expect(fake.resourceRequests.count == 4 + 1)
        #expect(fake.grantCount == 1 + 1)
    }

    @Test func concurrentGenuine400sShareOneCheck() async throws {
        let fake = try await Self.slowFake()
        let client = try makeClient(fake)
        _ = try await client.tokens.validToken()
        let statuses = try await Self.eightAtOnce(client, Self.badPage)
        await client.shutdown()
        #expect(statuses == Array(repeating: 400, count: 8))
        #expect(fake.resourceRequests.count == 8 + 1)
        #expect(fake.grantCount == 1 + 1)
    }

    @Test func concurrentRequestsWithAStaleTokenRenewOnceAndAllSucceed() async throws {
        let fake = try await Self.slowFake()
        let client = try makeClient(fake)
        _ = try await client.send(CaspioRequest("GET", "tables/T/records"))
        fake.revokeAccessTokens()
        let statuses = try await Self.eightAtOnce(client, CaspioRequest("GET", "tables/T/records"))
        await client.shutdown()
        #expect(statuses == Array(repeating: 200, count: 8))
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
        #expect(fake.resourceRequests.count == 1 + 8 + 8)
    }

    @Test func a400ToATokenThatALaterRequestUsedIsNotDoubted() async throws {
        let fake = try await Self.fake()
        // The bad request is answered late, after a request sent later has succeeded.
        fake.delay { $0.uri.contains("pageSize") ? 0.3 : 0 }
        let client = try makeClient(fake)
        _ = try await client.tokens.validToken()
        async let bad = client.send(Self.badPage)
        try await Task.sleep(for: .milliseconds(100))
        let good = try await client.send(CaspioRequest("GET", "tables/T/records"))
        let answer = try await bad
        await client.shutdown()
        #expect(good.status == 200)
        #expect(answer.status == 400)
        #expect(fake.resourceRequests.count == 2)
        #expect(fake.grantCount == 1)
    }
}
