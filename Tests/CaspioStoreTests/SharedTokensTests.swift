import CaspioTestSupport
import Foundation
import Testing

/// Hosts with empty disks sharing one account through the store: one grant between them,
/// the token unreadable in the table, the ledger adding up.
@Suite(.serialized) struct SharedTokensTests {
    @Test func eightHostsWithEmptyDisksMakeOneGrant() async throws {
        let database = try await TestPostgres.make()
        let fake = try await EmulatedCaspio.start()
        fake.delayTokens(0.5)  // the grant is slow: the others ask while it is under way
        let hosts = try (0..<8).map { _ in try Host(fake: fake, database: database) }
        let runs = try hosts.map { try $0.start(#"caspio.get("tables"); print("ok")"#, ["-v"]) }
        var results: [ProcessResult] = []
        for run in runs { results.append(try await run.finish()) }
        for result in results {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "ok\n")
            // -v logs requests and renewals, never the secrets.
            for secret in [database.password, fake.settings.clientSecret] + fake.sandbox.issuedTokens {
                #expect(!result.stderr.contains(secret))
            }
        }
        #expect(fake.grantCount == 1, "grants: \(fake.grants)")
        #expect(fake.resourceRequests.count == 8)
        #expect(try await database.sql("SELECT count(*) FROM caspio.tokens") == "1")

        // A database reader without the client secret finds no token in the row.
        let row = try await database.sql("SELECT token_url, client_id, encode(sealed, 'escape'), encode(sealed, 'hex'), expires_at FROM caspio.tokens")
        let issued = fake.sandbox.issuedTokens
        #expect(!issued.isEmpty)
        for token in issued {
            #expect(!row.contains(token))
            #expect(!row.contains(Data(token.utf8).map { String(format: "%02x", $0) }.joined()))
        }
        #expect(row.contains(fake.tokenURL))

        // A later host with an empty disk uses the stored token: still one grant.
        let later = try await Host(fake: fake, database: database).run(#"caspio.get("tables")"#)
        #expect(later.status == 0, "\(later.stderr)")
        #expect(fake.grantCount == 1)
    }

    @Test func theLedgerAddsUpAcrossEightHosts() async throws {
        let database = try await TestPostgres.make()
        let fake = try await EmulatedCaspio.start()
        let hosts = try (0..<8).map { _ in try Host(fake: fake, database: database) }
        let runs = try hosts.map { try $0.start(#"for i = 1, 5 do caspio.get("tables") end"#) }
        for run in runs { #expect(try await run.finish().status == 0) }
        #expect(fake.resourceRequests.count == 40)
        #expect(try await database.sql("SELECT sum(requests) FROM caspio.usage") == "40")
        let usage = try await hosts[0].caspio(["usage", "--json"])
        #expect(usage.status == 0, "\(usage.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(usage.stdout.utf8)) as? [String: Any], "\(usage.stdout)")
        let today = try #require(object["today"] as? [String: Any], "\(object)")
        #expect(today["requests"] as? Int == 40, "\(object)")

        // A daily budget counts every host's requests: 40 spent, 42 allowed, so one run of
        // five gets two and stops with the budget error (exit 4).
        let budgeted = try await hosts[1].run(#"for i = 1, 5 do caspio.get("tables") end"#, ["--max-requests-per-day", "42"])
        #expect(budgeted.status == 4, "\(budgeted.stderr)")
        #expect(budgeted.stderr.contains("counts 42 requests"), "\(budgeted.stderr)")
        #expect(try await database.sql("SELECT sum(requests) FROM caspio.usage") == "42")
    }
}
