import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// The grants on the wire exactly as API-NOTES.md gives them, and tolerant parsing.
@Suite struct TokenWireTests {
    @Test func clientCredentialsInTheBody() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        _ = try await client.send(CaspioRequest("GET", "tables"))
        let token = try await client.tokens.validToken()
        await client.shutdown()
        let grant = try #require(fake.tokenRequests.first)
        #expect(grant.method == "POST")
        #expect(grant.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(grant.form == [
            "grant_type": "client_credentials", "client_id": fake.settings.clientID,
            "client_secret": EmulatedCaspio.masked(fake.settings.clientSecret),
        ])
        #expect(grant.header("Authorization") == nil)
        let call = try #require(fake.resourceRequests.first)
        #expect(call.header("Authorization") == "Bearer " + EmulatedCaspio.masked(token.accessToken.reveal()))
        #expect(call.header("Accept") == "application/json")
    }

    @Test func clientCredentialsWithBasic() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake, authStyle: .basic)
        _ = try await client.tokens.validToken()
        await client.shutdown()
        let grant = try #require(fake.tokenRequests.first)
        #expect(grant.form == ["grant_type": "client_credentials"])
        let expected = Data("\(fake.settings.clientID):\(fake.settings.clientSecret)".utf8).base64EncodedString()
        #expect(grant.header("Authorization") == "Basic " + EmulatedCaspio.masked(expected))
    }

    @Test func refreshGrantUsesBasicAndTheRefreshToken() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        let first = try await client.tokens.validToken()
        let renewed = try await client.tokens.refresh()
        await client.shutdown()
        let grant = try #require(fake.tokenRequests.last)
        #expect(grant.header("Content-Type") == "application/x-www-form-urlencoded")
        #expect(grant.form == ["grant_type": "refresh_token", "refresh_token": EmulatedCaspio.masked(first.refreshToken!.reveal())])
        let expected = Data("\(fake.settings.clientID):\(fake.settings.clientSecret)".utf8).base64EncodedString()
        #expect(grant.header("Authorization") == "Basic " + EmulatedCaspio.masked(expected))
        #expect(renewed.grant == .refreshToken)
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
    }

    /// (Caspio's renewals leave it out: the emulator's default.)
    @Test func refreshAnswerWithoutRefreshTokenKeepsTheOldOne() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        let first = try await client.tokens.validToken()
        let renewed = try await client.tokens.refresh()
        let again = try await client.tokens.refresh()
        await client.shutdown()
        #expect(renewed.refreshToken == first.refreshToken)
        #expect(again.grant == .refreshToken)
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 2])
    }

    /// A server that rotates refresh tokens: the next renewal sends the one the last answer
    /// carried, not the first.
    @Test func aRotatedRefreshTokenIsTheOneSentNext() async throws {
        let fake = try await EmulatedCaspio.start { $0.rotateRefreshTokens = true }
        let client = try makeClient(fake)
        let first = try await client.tokens.validToken()
        let renewed = try await client.tokens.refresh()
        _ = try await client.tokens.refresh()
        await client.shutdown()
        #expect(renewed.refreshToken != nil && renewed.refreshToken != first.refreshToken)
        let sent = fake.tokenRequests.compactMap { $0.form["refresh_token"] }
        #expect(sent == [first, renewed].map { EmulatedCaspio.masked($0.refreshToken!.reveal()) })
    }

    @Test func tokenTypeInAnyCaseAndMissingLifetime() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.tokenAnswers(.init(tokenType: "BeArEr", omitExpiresIn: true))
        let clock = ManualClock()
        let client = try makeClient(fake, now: clock.now)
        let token = try await client.tokens.validToken()
        #expect(token.expiresAt == nil)
        // Unknown lifetime: no proactive renewal, however much time passes...
        clock.advance(10 * 86400)
        _ = try await client.send(CaspioRequest("GET", "tables"))
        #expect(fake.grantCount == 1)
        // ...but a 401 renews.
        fake.revokeAccessTokens()
        let response = try await client.send(CaspioRequest("GET", "tables"))
        await client.shutdown()
        #expect(response.status == 200)
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
    }

    @Test func anHTMLAnswerIsAClearErrorWithoutSecrets() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.always(
            .text(200, "<html><body>Maintenance (your secret was \(fake.settings.clientSecret))</body></html>", contentType: "text/html"),
            when: toTokens)
        let client = try makeClient(fake)
        let error = await #expect(throws: CaspioError.self) { try await client.tokens.validToken() }
        await client.shutdown()
        let text = try #require(error).description
        #expect(error?.kind == .auth)
        #expect(text.contains("HTTP 200"))
        #expect(text.contains("text/html"))
        #expect(text.contains("<html><body>Maintenance"))
        #expect(!text.contains(fake.settings.clientSecret))
    }

    @Test func wrongCredentialsAreAnAuthenticationErrorThatSaysWhy() async throws {
        let fake = try await EmulatedCaspio.start()
        let logs = CapturedLogs()
        // The secret was rotated on the server: the client's is stale.
        let client = try makeClient(fake, clientSecret: "the-secret-before-rotation", logs: logs)
        let error = await #expect(throws: CaspioError.self) { try await client.send(CaspioRequest("GET", "tables")) }
        await client.shutdown()
        #expect(error?.kind == .auth)
        #expect(error?.status == 401)
        #expect(error?.code == "invalid_client")
        #expect(error?.description.contains("check the client id and secret") == true)
        #expect(fake.resourceRequests.isEmpty)
    }
}
