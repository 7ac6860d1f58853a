import CaspioTestSupport
import Foundation
import Testing

/// What the client does below the dialect keeps working on v4: the usage ledger counts every
/// request, budgets stop a run, a revoked token is renewed and the request replayed, a dry run
/// reads; and `caspio request` and the listings of the account's objects speak v4.
@Suite(.serialized) struct V4ClientServicesTests {
    /// A `caspio sandbox` process (`arguments` added) and the environment of a client that
    /// speaks its v4 with a token cache (and so a ledger) of its own.
    final class V4Box {
        let sandbox: SpawnedProcess
        let directory: URL
        var environment: [String: String]

        init(_ arguments: [String]) async throws {
            directory = try temporaryDirectory()
            let (process, exports) = try await SpawnedProcess.sandbox(["--rate-limit", "off"] + arguments, seconds: 300)
            sandbox = process
            environment = exports
            environment["CASPIO_BASE_URL"] = exports["CASPIO_BASE_URL"]?.replacingOccurrences(of: "/rest/v3", with: "/rest/v4")
            environment["CASPIO_TOKEN_CACHE"] = directory.path + "/cache"
            environment["CASPIO_CONFIG"] = directory.path + "/none.toml"
            environment["HOME"] = directory.path
        }

        deinit { sandbox.terminateInBackground(thenRemove: directory) }

        func run(_ arguments: [String]) async throws -> ProcessResult {
            try await caspio(arguments, environment: environment, directory: directory)
        }
    }

    @Test func theLedgerBudgetsAndThe401ReplayWorkOnV4() async throws {
        let box = try await V4Box(["--revoke-every", "3"])
        #expect(box.environment["CASPIO_BASE_URL"]?.hasSuffix("/integrations/rest/v4") == true)
        let script = """
            local t = caspio.table("Customers")
            for i = 1, 6 do assert(t:count() == 250) end
            print(caspio.stats().requests)
            """
        let run = try await box.run(["run", "-v", "-e", script])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("HTTP 401 from GET"), "revoked tokens are renewed and the request replayed: \(run.stderr)")
        #expect(run.stderr.contains("/integrations/rest/v4/tables/"))
        let requests = Int(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(requests >= 7, "the listing and six counts, and the replays: \(run.stdout)")

        let usage = try await box.run(["usage", "--json"])
        #expect(usage.status == 0, "\(usage.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(usage.stdout.utf8)) as? [String: Any]
        #expect((object?["today"] as? [String: Any])?["requests"] as? Int == requests, "\(usage.stdout)")

        let budget = try await box.run(["run", "--max-requests", "2", "-e", script])
        #expect(budget.status == 4, "\(budget.stderr)")
        #expect(budget.stderr.contains("budget"), "\(budget.stderr)")
    }

    @Test func aDryRunReadsOnV4() async throws {
        let result = try await runLuaInSandbox("""
            print(caspio.table("Customers"):count({State = "CA"}))
            for row in caspio.sql("SELECT State, COUNT(PK_ID) AS N FROM Customers GROUP BY State") do io.write(row.State, row.N, " ") end
            print()
            """, flags: ["--dry-run"], environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "50\nCA50 NY50 OR50 TX50 WA50 \n", "\(result.stdout)")
        #expect(result.stderr.contains("dry run: no writes"), "\(result.stderr)")
    }

    @Test func caspioRequestSpeaksV4AndSaysTablesGoByID() async throws {
        let box = try await V4Box([])
        let tables = try await box.run(["request", "GET", "tables"])
        #expect(tables.status == 0, "\(tables.stderr)")
        let listing = try JSONSerialization.jsonObject(with: Data(tables.stdout.utf8)) as? [String: Any]
        let items = try #require(listing?["data"] as? [[String: Any]], "\(tables.stdout)")
        let id = try #require(items.first { $0["name"] as? String == "Customers" }?["tableId"] as? String)
        let records = try await box.run(["request", "GET", "tables/\(id)/records", "--query", "pageSize=5", "--query", "pageNumber=1"])
        #expect(records.status == 0, "\(records.stderr)")
        #expect(records.stdout.contains("\"data\""))
        let byName = try await box.run(["request", "GET", "tables/Customers/records"])
        #expect(byName.status == 5, "\(byName.stderr)")
        #expect(byName.stderr.contains("REST API v4 addresses tables by id, not by name: `caspio request GET tables` lists each tableId"), "\(byName.stderr)")
    }

    @Test func listingsOfTheAccountsObjectsReadV4sEnvelope() async throws {
        let script = """
            local function count(iterator) local n = 0 for _ in iterator do n = n + 1 end return n end
            print(count(caspio.webhooks.list()), count(caspio.tasks.list()), count(caspio.apps.list()))
            local staff = caspio.table("Staff")
            print(count(staff:attachments("Photo")), count(staff:attachments("Photo", {where = {PK_ID = 1}})), count(staff:attachments("Photo", {where = {PK_ID = 2}})), staff:attachment("Photo", 1):info().PK_ID)
            """
        let v3 = try await runLuaInSandbox(script)
        let v4 = try await runLuaInSandbox(script, environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(v3.status == 0, "\(v3.stderr)")
        #expect(v4.status == 0, "\(v4.stderr)")
        #expect(!v3.stdout.hasPrefix("0\t"), "\(v3.stdout)")
        #expect(v3.stdout == v4.stdout)
        #expect(v4.stdout.hasSuffix("\n1\t1\t0\t1\n"), "the Staff table's one photo, found by where on v4 too: \(v4.stdout)")
    }
}
