import CaspioTestSupport
import Foundation
import Testing

/// caspio.records in a run: what an uncaught error on a page does to the exit status, and
/// renewals across runs sharing a token cache. The pager itself is tested in process
/// (PagerTests).
@Suite struct RecordsTests {
    /// Counts the rows a records loop sees, and checks that they come in order.
    static let countRows = """
        local n, ordered = 0, true
        for row in caspio.records("T") do
          n = n + 1
          if row.N ~= n then ordered = false end
        end
        print(n, ordered)
        """

    @Test func anUncaughtErrorOnAPageEndsTheRunWithItsKindsStatus() async throws {
        let fake = try await EmulatedCaspio.start()
        let result = try await runLua("""
            fake_page = caspio.records("Nope")
            fake_page()
            """, against: fake)
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("caspio: HTTP 404 ObjectNotFound: Cannot find table 'Nope'"))
    }

    @Test func aRefusedRenewalEndsTheLoopWithAnAuthError() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.always(.json(400, ["error": "invalid_grant", "error_description": "Refresh token expired"])) {
            $0.path == "/oauth/token" && $0.form["grant_type"] == "refresh_token"
        }
        try fake.seed("T", count: 1500)
        fake.revokeTokens(afterRequests: 1)
        // The refresh is refused, client credentials work: the loop still never notices.
        let ok = try await runLua(Self.countRows, against: fake)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "1500\ttrue\n")
        #expect(fake.grants == ["client_credentials": 2])
        #expect(fake.tokenRequests.map { $0.form["grant_type"] ?? "" } == ["client_credentials", "refresh_token", "client_credentials"])

        // A later run starts with the cached token; after its first page the tokens are revoked
        // and the client secret has been rotated (the run has the old one): an auth error that
        // the script can catch.
        let cache = try temporaryDirectory().path
        let warm = try await runLua("caspio.get('tables/T/records', {['q.limit'] = 1})", against: fake, environment: ["CASPIO_TOKEN_CACHE": cache])
        #expect(warm.status == 0, "\(warm.stderr)")
        fake.revokeTokens(afterRequests: 1, refreshTokensToo: true)
        let script = """
            local n = 0
            local ok, err = pcall(function() for row in caspio.records("T") do n = n + 1 end end)
            print(n, ok, err.kind, err.status, err.code)
            for row in caspio.records("T") do end
            """
        let failed = try await runLua(
            script, against: fake, environment: ["CASPIO_TOKEN_CACHE": cache, "CASPIO_CLIENT_SECRET": "the-secret-before-rotation"])
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(failed.stdout == "1000\tfalse\tauth\t401\tinvalid_client\n", "\(failed.stdout)")
        #expect(failed.stderr.hasPrefix("caspio: authentication failed (HTTP 401) invalid_client"), "\(failed.stderr)")
    }
}
