import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// Proactive and reactive renewal, the renewal order, and single flight.
@Suite struct RenewalTests {
    @Test func renewalMarginSuitsTheLifetime() {
        #expect(TokenSet.renewalMargin(lifetime: 86399) == 300)
        #expect(TokenSet.renewalMargin(lifetime: 10) == 2.5)
        #expect(TokenSet.renewalMargin(lifetime: 10) <= 5)
    }

    @Test func renewsBeforeExpiryWithTheRefreshToken() async throws {
        let fake = try await EmulatedCaspio.start()
        let clock = ManualClock()
        let client = try makeClient(fake, now: clock.now)
        _ = try await client.send(CaspioRequest("GET", "tables"))
        clock.advance(86399 - 600)  // 10 minutes left: still good
        _ = try await client.send(CaspioRequest("GET", "tables"))
        #expect(fake.grantCount == 1)
        clock.advance(400)  // 200 s left: inside the margin
        _ = try await client.send(CaspioRequest("GET", "tables"))
        await client.shutdown()
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
        #expect(fake.requests.filter { $0.header("Authorization")?.hasPrefix("Bearer") == true }.allSatisfy {
            !$0.path.hasPrefix("/oauth")
        })
    }

    @Test(arguments: [400, 401])
    func refusedRefreshFallsBackToClientCredentials(status: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        _ = try await client.tokens.validToken()
        fake.always(oauthError(status, "invalid_grant", "Refresh token expired"), when: toRefreshGrants)
        fake.revokeAccessTokens()
        let response = try await client.send(CaspioRequest("GET", "tables"))
        await client.shutdown()
        #expect(response.status == 200)
        #expect(fake.tokenRequests.map { $0.form["grant_type"] } == ["client_credentials", "refresh_token", "client_credentials"])
        #expect(fake.grants == ["client_credentials": 2])
    }

    @Test func failedFallbackIsAnAuthenticationError() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        _ = try await client.tokens.validToken()
        // The refresh token is refused and the secret was rotated elsewhere.
        fake.always(oauthError(401, "invalid_client", "Client authentication failed"), when: toTokens)
        fake.revokeAccessTokens()
        let error = await #expect(throws: CaspioError.self) { try await client.send(CaspioRequest("GET", "tables")) }
        await client.shutdown()
        #expect(error?.kind == .auth)
        #expect(error?.description.contains("client_credentials grant was refused") == true)
    }

    @Test func a401RenewsAndReplaysOnce() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1)
        let client = try makeClient(fake)
        _ = try await client.send(CaspioRequest("GET", "tables"))
        fake.revokeAccessTokens()
        let response = try await client.send(CaspioRequest("PUT", "tables/T/records", query: [("q.where", "PK_ID=1")], body: Array(#"{"Name":"x"}"#.utf8)))
        await client.shutdown()
        #expect(response.status == 200)
        let puts = fake.resourceRequests.filter { $0.method == "PUT" }
        #expect(puts.count == 2)
        #expect(puts[0].header("Authorization") != puts[1].header("Authorization"))
        #expect(puts[1].bodyText == #"{"Name":"x"}"#)
    }

    @Test func aSecond401IsAnAuthenticationError() async throws {
        let fake = try await EmulatedCaspio.start { $0.tokenTTL = 0 }  // every token is dead on arrival
        let client = try makeClient(fake)
        let error = await #expect(throws: CaspioError.self) { try await client.send(CaspioRequest("GET", "tables")) }
        await client.shutdown()
        #expect(error?.kind == .auth)
        #expect(error?.status == 401)
        #expect(fake.resourceRequests.count == 2)
    }

    @Test func concurrentRequestsShareOneGrantAndOneRenewal() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.delayTokens(0.2)
        let client = try makeClient(fake)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await client.send(CaspioRequest("GET", "tables")).status } }
            for try await status in group { #expect(status == 200) }
        }
        #expect(fake.grants == ["client_credentials": 1])
        fake.revokeAccessTokens()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 { group.addTask { try await client.send(CaspioRequest("GET", "tables")).status } }
            for try await status in group { #expect(status == 200) }
        }
        await client.shutdown()
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
    }
}
