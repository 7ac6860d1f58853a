import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// The persistent cache: reuse across runs, modes, atomic files, recovery.
@Suite struct TokenCacheTests {
    @Test func tokensAreReusedAcrossClientsThroughTheCache() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = temporaryPath("cache")
        let first = try makeClient(fake, cache: directory)
        let token = try await first.tokens.validToken()
        #expect(token.source == .network)
        await first.shutdown()

        let second = try makeClient(fake, cache: directory)
        let again = try await second.tokens.validToken()
        _ = try await second.send(CaspioRequest("GET", "tables"))
        await second.shutdown()
        #expect(again.source == .cache)
        #expect(again.accessToken == token.accessToken)
        #expect(fake.grantCount == 1)
    }

    @Test func filesAreOwnerOnlyAndNamedWithoutTheSecret() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = temporaryPath("cache") + "/nested/tokens"
        let client = try makeClient(fake, cache: directory)
        _ = try await client.tokens.validToken()
        await client.shutdown()
        let path = try #require(client.tokenCache?.filePath)
        let fileMode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        let directoryMode = try FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int
        #expect(fileMode == 0o600)
        #expect(directoryMode == 0o700)
        #expect(!path.contains(fake.settings.clientSecret))
        let contents = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!contents.contains(fake.settings.clientSecret))
        #expect(contents.contains("\"expires_at\""))
        // No temporary files are left behind.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(names.allSatisfy { !$0.contains(".tmp-") })
    }

    @Test func aCorruptCacheIsIgnoredWithAWarningAndRewritten() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = temporaryPath("cache")
        let logs = CapturedLogs()
        let probe = try makeClient(fake, cache: directory)
        let path = try #require(probe.tokenCache?.filePath)
        await probe.shutdown()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "{ this is not json".write(toFile: path, atomically: true, encoding: .utf8)

        let client = try makeClient(fake, cache: directory, logs: logs)
        let token = try await client.tokens.validToken()
        await client.shutdown()
        #expect(token.source == .network)
        #expect(logs.text.contains("ignoring the token cache file"))
        let rewritten = try #require(TokenCache(directory: directory, tokenURL: fake.tokenURL, clientID: fake.settings.clientID, warn: { _ in }).read())
        #expect(rewritten.accessToken == token.accessToken)
    }

    @Test func aForeignCacheIsIgnored() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = temporaryPath("cache")
        let client = try makeClient(fake, cache: directory)
        let path = try #require(client.tokenCache?.filePath)
        // Same file name, but written for another client: never used.
        let foreign = TokenCache(directory: directory, tokenURL: fake.tokenURL, clientID: "someone-else", warn: { _ in })
        try foreign.write(TokenSet(
            accessToken: Secret("stolen"), tokenType: "bearer", refreshToken: nil, expiresAt: Date().addingTimeInterval(3600),
            obtainedAt: Date(), source: .network, grant: .clientCredentials))
        try FileManager.default.moveItem(atPath: foreign.filePath, toPath: path)
        let token = try await client.tokens.validToken()
        await client.shutdown()
        #expect(token.accessToken != Secret("stolen"))
        #expect(fake.grantCount == 1)
    }

    @Test func aRevokedCachedTokenIsRenewedWithItsRefreshToken() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = temporaryPath("cache")
        let first = try makeClient(fake, cache: directory)
        _ = try await first.tokens.validToken()
        await first.shutdown()
        fake.revokeAccessTokens()
        let second = try makeClient(fake, cache: directory)
        let response = try await second.send(CaspioRequest("GET", "tables"))
        await second.shutdown()
        #expect(response.status == 200)
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
    }

    @Test func logoutDeletesTheCachedToken() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = temporaryPath("cache")
        let client = try makeClient(fake, cache: directory)
        _ = try await client.tokens.validToken()
        #expect(try await client.tokens.logout())
        #expect(!FileManager.default.fileExists(atPath: client.tokenCache!.filePath))
        #expect(try await client.tokens.logout() == false)
        await client.shutdown()
    }
}
