import CaspioSandbox
import CaspioTestSupport
import Foundation
import Testing

/// The token endpoint and bearer checks, as Caspio does them (API-NOTES.md, "Authentication"),
/// and the chaos options that disturb them.
@Suite struct AuthTests {
    @Test func clientCredentialsInTheBodyOrBasic() async throws {
        try await SandboxHarness.with { sandbox in
            let body = try await sandbox.token()
            #expect(body.status == 200)
            #expect(body.object["token_type"] as? String == "bearer")
            #expect(body.object["expires_in"] as? Int == 86399)
            #expect(body.object["refresh_token"] is String)
            let basic = try await sandbox.token("grant_type=client_credentials", basic: true)
            #expect(basic.status == 200 && basic.object["access_token"] is String)
            let wrong = try await sandbox.token("grant_type=client_credentials&client_id=sandbox-client&client_secret=nope")
            #expect(wrong.status == 401 && wrong.object["error"] as? String == "invalid_client")
            #expect(wrong.headers["x-caspio-request-id"] != nil)
        }
    }

    @Test func refreshNeedsBasicAndKeepsTheRefreshToken() async throws {
        try await SandboxHarness.with { sandbox in
            let refresh = try await sandbox.token().object["refresh_token"] as? String ?? ""
            let withoutBasic = try await sandbox.token("grant_type=refresh_token&refresh_token=\(refresh)")
            #expect(withoutBasic.status == 401)
            let renewed = try await sandbox.token("grant_type=refresh_token&refresh_token=\(refresh)", basic: true)
            #expect(renewed.status == 200 && renewed.object["refresh_token"] == nil)
            let again = try await sandbox.token("grant_type=refresh_token&refresh_token=\(refresh)", basic: true)
            #expect(again.status == 200, "the old refresh token stays valid")
            let unknown = try await sandbox.token("grant_type=refresh_token&refresh_token=bogus", basic: true)
            #expect(unknown.status == 401)
            let stats = try await sandbox.send("GET", "/_sandbox/stats").object
            #expect((stats["grants"] as? [String: Int]) == ["client_credentials": 1, "refresh_token": 2])
        }
    }

    @Test func missingOrExpiredTokensGetCaspiosErrorBody() async throws {
        let clock = TestClock()
        try await SandboxHarness.with({ $0.tokenTTL = 3 }, clock: SandboxClock(clock)) { sandbox in
            let missing = try await sandbox.send("GET", "/rest/v2/tables")
            #expect(missing.status == 401)
            #expect(Set(missing.object.keys) == ["Code", "Message", "Resource", "RequestId"])
            #expect(missing.object["RequestId"] as? String == missing.headers["x-caspio-request-id"])
            #expect(missing.object["Resource"] as? String == "/rest/v2/tables")
            let token = try await sandbox.token()
            #expect(token.object["expires_in"] as? Int == 3)
            let access = token.object["access_token"] as? String ?? ""
            clock.advance(by: .milliseconds(2999))
            #expect(try await sandbox.api("GET", "tables", token: access).status == 200)
            clock.advance(by: .milliseconds(1))
            #expect(try await sandbox.api("GET", "tables", token: access).status == 401)
        }
    }

    @Test func revokeEveryNRequests() async throws {
        try await SandboxHarness.with({ $0.revokeEvery = 2 }) { sandbox in
            let access = try await sandbox.accessToken()
            #expect(try await sandbox.api("GET", "tables", token: access).status == 200)
            #expect(try await sandbox.api("GET", "tables", token: access).status == 200)  // revokes after answering
            #expect(try await sandbox.api("GET", "tables", token: access).status == 401)
            let stats = try await sandbox.send("GET", "/_sandbox/stats").object
            #expect(stats["revocations"] as? Int == 1)
        }
    }

    @Test func failRateAnswers503WithRetryAfter() async throws {
        try await SandboxHarness.with({ $0.failRate = 1 }) { sandbox in
            let reply = try await sandbox.api("GET", "tables")
            #expect(reply.status == 503)
            #expect(reply.headers["retry-after"] == "1")
            #expect(reply.object["Code"] as? String == "ServiceUnavailable")
        }
    }

    @Test func latencyDelaysAnswers() async throws {
        try await SandboxHarness.with({ $0.latencyMilliseconds = 150 }) { sandbox in
            let token = try await sandbox.accessToken()
            let start = Date()
            _ = try await sandbox.api("GET", "tables", token: token)
            #expect(Date().timeIntervalSince(start) >= 0.15)
        }
    }
}
