import CaspioSandbox
import CaspioTestSupport
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SQLiteLayer
import Testing

/// `caspio mirror --every … --listen HOST:PORT` against a `caspio sandbox` process whose
/// webhook posts the changes of Orders to the mirror: an insert, an update and a delete made
/// through the API land in the mirror without a periodic run; deliveries made by hand (signed
/// as the sandbox signs) show a repeat applied once, events out of order ending in the newest
/// state, and a wrong or missing secret or signature refused with nothing applied.
@Suite(.serialized) struct MirrorListenTests {
    static let secret = "mirror-test-webhook-secret"
    static let hook = "00000000-0000-4000-8000-000000009001"

    /// The mirror's seed with a webhook on Orders' inserts, updates and deletes (its URL set
    /// once the mirror listens).
    static var seed: String {
        let events = ["table.recordInsert", "table.recordUpdate", "table.recordDelete"].enumerated().map { i, type in
            "{\"Id\": \"00000000-0000-4000-8000-00000000900\(i + 2)\", \"EventType\": \"\(type)\", \"ObjectName\": \"Orders\"}"
        }
        let webhooks = """
            "Webhooks": [{"Id": "\(hook)", "Name": "Mirror", "Secret": "\(secret)", "CallThrottling": 50,
              "OutgoingUrls": ["http://127.0.0.1:9/unset"], "Events": [\(events.joined(separator: ", "))]}]
            """
        let tables = MirrorTests.seed(rows: 30).trimmingCharacters(in: .whitespacesAndNewlines)
        return String(tables.dropLast()) + ", " + webhooks + "}"
    }

    /// A mirror of Orders that listens on a free port, the webhook pointed at it.
    static func start(_ f: MirrorTests.Fixture, target: String? = nil) async throws -> (SpawnedProcess, URL) {
        var env = f.env
        env["CASPIO_WEBHOOK_SECRET"] = secret
        let process = try SpawnedProcess(caspioBinary, ["mirror", target ?? f.target, "--tables", "Orders", "--cursor", "Orders.Modified", "--every", "1h",
                                                        "--listen", "127.0.0.1:0"], environment: env, directory: f.directory, seconds: 120)
        // Listening from the start; the changes are made after the first run.
        let shown = try await process.waitForOutput("total: 1 table", timeout: 60)
        let port = try #require(shown.firstMatch(of: /listening for webhooks on 127\.0\.0\.1:(\d+)/).map { String($0.1) })
        let url = try #require(URL(string: "http://127.0.0.1:\(port)/caspio-webhook"))
        try await f.lua("caspio.webhooks.update(\"\(hook)\", {OutgoingUrls = {\"\(url.absoluteString)\"}})")
        return (process, url)
    }

    /// On SQLite and on PostgreSQL, whose rows are compared as MirrorTests.postgresTarget does.
    @Test(arguments: ["sqlite", "postgres"]) func changesThroughTheAPIArriveWithoutARun(target kind: String) async throws {
        let f = try await MirrorTests.Fixture(seed: Self.seed)
        let database = kind == "postgres" ? try await TestPostgres.make() : nil
        if let database { f.env["PGPASSWORD"] = database.password }
        func mirrored() async throws -> [String] {
            guard let database else { return try f.mirrored() }
            let date = { (column: String) in "coalesce(to_char(\"\(column)\", 'YYYY-MM-DD\"T\"HH24:MI:SS'), 'nil')" }
            let rows = try await database.sql("""
                SELECT concat_ws('|', "PK_ID", "Name", coalesce("Qty"::text, 'nil'), "Price", CASE WHEN "Paid" THEN 'true' ELSE 'false' END,
                  \(date("Due")), \(date("Modified")), 'nil') FROM "Orders" ORDER BY "PK_ID"
                """)
            return rows.split(separator: "\n").map(String.init)
        }
        let (process, _) = try await Self.start(f, target: database?.url)
        try await f.lua("""
            caspio.table("Orders"):insert({Name = "Hooked", Qty = 5, Price = 1, Paid = true, Due = "2026-12-03T00:00:00", Modified = "2026-11-02T09:00:00"})
            """)
        _ = try await process.waitForOutput("Orders: 1 webhook event: 1 inserted, 0 updated, 0 deleted, 0 calls; 31 rows", timeout: 30)
        try await f.lua("caspio.table(\"Orders\"):update(\"PK_ID = 2\", {Qty = 42, Modified = \"2026-11-02T09:01:00\"})")
        _ = try await process.waitForOutput("Orders: 1 webhook event: 0 inserted, 1 updated, 0 deleted, 0 calls; 31 rows", timeout: 30)
        try await f.lua("caspio.table(\"Orders\"):delete(\"PK_ID = 3\")")
        _ = try await process.waitForOutput("Orders: 1 webhook event: 0 inserted, 0 updated, 1 deleted, 0 calls; 30 rows", timeout: 30)
        #expect(try await mirrored() == (try await f.source()))
        process.signal(SIGTERM)
        let result = try await process.finish()
        #expect(result.status == 143, "\(result.stderr)")
        // One periodic run, the first: the changes came by webhook alone.
        #expect(result.stdout.components(separatedBy: "total: ").count == 2, "\(result.stdout)")
        #expect(!result.stdout.contains(Self.secret) && !result.stderr.contains(Self.secret))
    }

    /// An address taken (the sandbox's own) is an error before the first run, naming the fix.
    @Test func anAddressTakenIsAnErrorBeforeAnyCall() async throws {
        let f = try await MirrorTests.Fixture(seed: Self.seed)
        let port = try #require(f.env["CASPIO_BASE_URL"]?.firstMatch(of: /127\.0\.0\.1:(\d+)/).map { String($0.1) })
        var env = f.env
        env["CASPIO_WEBHOOK_SECRET"] = Self.secret
        let result = try await caspio(["mirror", f.target, "--tables", "Orders", "--every", "1h", "--listen", "127.0.0.1:" + port],
                                      environment: env, directory: f.directory)
        #expect(result.status == 1, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stderr.contains("--listen 127.0.0.1:\(port): cannot listen there"), "\(result.stderr)")
        #expect(result.stderr.contains("give a free port"))
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: f.database))
    }

    /// A message as Caspio's default body, signed as the sandbox signs (secret not in the body).
    static func message(_ id: String, _ type: String, at date: String, _ row: [String: Any]) throws -> Data {
        try JSONSerialization.data(withJSONObject: [
            "eventId": "e", "messageId": id, "webhookId": hook, "accountId": "a", "eventDate": date,
            "eventType": "table.record" + type, "objectName": "Orders", "data": [row],
        ] as [String: Any])
    }

    static func row(_ id: Int, _ name: String) -> [String: Any] {
        ["PK_ID": id, "Name": name, "Qty": 1, "Price": 3, "Paid": false, "Due": "2026-01-17T08:30:00", "Modified": "2026-11-02T10:00:00"]
    }

    /// POSTs `body` (signed under `key` unless nil); the status and the answer's text.
    static func post(_ body: Data, to url: URL, signedWith key: String? = secret) async throws -> (Int, String) {
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        if let key { request.setValue(WebhookDelivery.signature(Array(body), secret: key), forHTTPHeaderField: WebhookDelivery.signatureHeader) }
        request.httpBody = body
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func name(_ f: MirrorTests.Fixture, _ id: Int) throws -> String? {
        let db = try SQLiteConnection(path: f.database)
        defer { db.close() }
        guard case .text(let name)? = try db.run("SELECT Name FROM Orders WHERE PK_ID = ?", [.integer(id)]).rows.first?.first else { return nil }
        return name
    }

    @Test func repeatsOrderAndCredentials() async throws {
        let f = try await MirrorTests.Fixture(seed: Self.seed)
        let (process, url) = try await Self.start(f)
        let before = try name(f, 7)

        // Refused, and nothing queued: a wrong signature, a wrong secret in the body, neither.
        let forged = try Self.message("m-forged", "Update", at: "2026-11-02T10:00:09", Self.row(7, "Forged"))
        #expect(try await Self.post(forged, to: url, signedWith: "not-the-secret").0 == 403)
        #expect(try await Self.post(forged, to: url, signedWith: nil).0 == 401)
        var withSecret = try #require(try JSONSerialization.jsonObject(with: forged) as? [String: Any])
        withSecret["secret"] = "not-the-secret"
        #expect(try await Self.post(try JSONSerialization.data(withJSONObject: withSecret), to: url, signedWith: nil).0 == 403)

        // Out of order: the newer update first, then the older one, which changes nothing.
        let newer = try Self.message("m-2", "Update", at: "2026-11-02T10:00:02", Self.row(7, "Newer"))
        #expect(try await Self.post(newer, to: url) == (200, "queued"))
        _ = try await process.waitForOutput("Orders: 1 webhook event: 0 inserted, 1 updated, 0 deleted, 0 calls; 30 rows", timeout: 30)
        #expect(try await Self.post(try Self.message("m-1", "Update", at: "2026-11-02T10:00:01", Self.row(7, "Older")), to: url).0 == 200)
        _ = try await process.waitForOutput("Orders: 1 webhook event: 0 inserted, 0 updated, 0 deleted, 0 calls; 30 rows", timeout: 30)
        #expect(process.output.stdout.contains("Orders: 1 event older than the row's last applied: ignored"))
        #expect(try name(f, 7) == "Newer")

        // A delete, then an update made before it: the row stays deleted.
        #expect(try await Self.post(try Self.message("m-4", "Delete", at: "2026-11-02T10:00:04", ["PK_ID": 8]), to: url).0 == 200)
        _ = try await process.waitForOutput("Orders: 1 webhook event: 0 inserted, 0 updated, 1 deleted, 0 calls; 29 rows", timeout: 30)
        #expect(try await Self.post(try Self.message("m-3", "Update", at: "2026-11-02T10:00:03", Self.row(8, "Revived")), to: url).0 == 200)
        _ = try await process.waitForOutput("Orders: 1 webhook event: 0 inserted, 0 updated, 0 deleted, 0 calls; 29 rows", timeout: 30)
        #expect(try name(f, 8) == nil)

        // A repeat is answered and not applied: the next message is the only one that follows.
        #expect(try await Self.post(newer, to: url) == (200, "repeat"))
        #expect(try await Self.post(try Self.message("m-5", "Update", at: "2026-11-02T10:00:05", Self.row(9, "Last")), to: url).0 == 200)
        _ = try await process.waitForOutput("Orders: 1 webhook event: 0 inserted, 1 updated, 0 deleted, 0 calls; 29 rows\n", timeout: 30)
        process.signal(SIGTERM)
        let result = try await process.finish()
        #expect(result.status == 143, "\(result.stderr)")
        #expect(result.stdout.components(separatedBy: "webhook event").count - 1 == 5, "\(result.stdout)")
        #expect(try name(f, 9) == "Last")
        #expect(try name(f, 7) != "Forged" && before != "Forged")
        #expect(!result.stdout.contains(Self.secret) && !result.stderr.contains(Self.secret))
    }
}
