import CaspioTestSupport
import Foundation
import SQLiteLayer
import Testing

/// `caspio mirror sqlite:PATH` against a `caspio sandbox` process (unordered pages shuffled, as
/// Caspio's): the first copy equals the source row by row; inserts, updates (one stamped
/// inside the lookback window) and deletes appear after the next run; a new field adds a
/// column; an unchanged run's calls; kill -9 mid-copy, then a rerun; --every stopped by
/// SIGTERM in its pause; a bad target refused before any call. The copy and the changes are
/// read through REST API v3 and v4 alike.
@Suite(.serialized) struct MirrorTests {
    /// An insert, an update stamped after the cursor, one stamped 5 minutes before it (a late
    /// commit, inside the 10-minute lookback), a delete, and an insert without a stamp.
    static let changes = """
        local t = caspio.table("Orders")
        t:insert({Name = "New", Qty = 1, Price = 2, Paid = true, Due = "2026-12-01T00:00:00", Modified = "2026-11-01T11:00:00"})
        t:update("PK_ID = 3", {Qty = 99, Modified = "2026-11-01T11:01:00"})
        t:update("PK_ID = 4", {Name = "Late", Modified = "2026-11-01T10:25:00"})
        t:delete("PK_ID = 5")
        t:insert({Name = "No stamp", Qty = 2, Price = 1, Paid = false, Due = "2026-12-02T00:00:00"})
        """

    static func seed(rows: Int) -> String {
        let list = (1...rows).map { i in
            "{\"Name\": \"Order \(i)\", \"Qty\": \(i % 7), \"Price\": \(i % 4 == 0 ? "12.5" : "3"), \"Paid\": \(i % 2 == 0), "
                + "\"Due\": \"2026-0\(1 + i % 9)-1\(i % 10)T08:30:00\", \"Modified\": \"2026-11-01T10:\(String(format: "%02d", i % 60)):00\"}"
        }
        return """
            {"Tables": [{"Name": "Orders", "Fields": [
              {"Name": "Name", "Type": "STRING"}, {"Name": "Qty", "Type": "INTEGER"}, {"Name": "Price", "Type": "CURRENCY"},
              {"Name": "Paid", "Type": "YES/NO"}, {"Name": "Due", "Type": "DATE/TIME"}, {"Name": "Modified", "Type": "DATE/TIME"}],
              "Rows": [\(list.joined(separator: ","))]},
              {"Name": "Notes", "Fields": [{"Name": "Text", "Type": "STRING"}], "Rows": [{"Text": "a"}, {"Text": "b"}]}]}
            """
    }

    final class Fixture {
        let sandbox: SpawnedProcess
        let directory: URL
        var env: [String: String]
        /// The REST API version the mirror reads through (writes go through v3).
        let version: Int
        var target: String { "sqlite:" + directory.appendingPathComponent("mirror.db").path }
        var database: String { directory.appendingPathComponent("mirror.db").path }

        /// `seed`: the sandbox's seed document (default: seed(rows:)).
        init(rows: Int = 30, extra: [String] = [], version: Int = 3, seed: String? = nil) async throws {
            self.version = version
            directory = try temporaryDirectory()
            let seedFile = try write(seed ?? MirrorTests.seed(rows: rows), to: directory.appendingPathComponent("seed.json"))
            let (process, exports) = try await SpawnedProcess.sandbox(["--seed", seedFile.path, "--rate-limit", "off"] + extra, seconds: 300)
            sandbox = process
            env = exports
            env["CASPIO_TOKEN_CACHE"] = "off"
            env["CASPIO_CONFIG"] = directory.path + "/none.toml"
            env["HOME"] = directory.path
            env["XDG_RUNTIME_DIR"] = directory.path
        }

        func run(_ arguments: [String]) async throws -> ProcessResult {
            var env = env
            if arguments.first == "mirror", let base = env["CASPIO_BASE_URL"] {
                env["CASPIO_BASE_URL"] = base.replacingOccurrences(of: "/rest/v3", with: "/rest/v\(version)")
            }
            return try await caspio(arguments, environment: env, directory: directory)
        }

        func mirror(_ extra: [String] = []) async throws -> ProcessResult {
            let result = try await run(["mirror", target, "--tables", "Orders", "--cursor", "Orders.Modified"] + extra)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            return result
        }

        func lua(_ code: String) async throws {
            let result = try await run(["-e", code])
            #expect(result.status == 0, "\(result.stderr)")
        }

        /// The source's rows, ordered by PK_ID, one line each.
        func source() async throws -> [String] {
            let result = try await run(["-e", """
                local function s(v) if v == nil or v == caspio.json.null then return "nil" end return tostring(v) end
                for r in caspio.table("Orders"):rows() do
                  print(table.concat({r.PK_ID, r.Name, s(r.Qty), string.format("%g", r.Price), s(r.Paid), s(r.Due), s(r.Modified), s(r.Note)}, "|"))
                end
                """])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }

        /// The mirror's rows, in the same shape.
        func mirrored() throws -> [String] {
            let db = try SQLiteConnection(path: database)
            defer { db.close() }
            let hasNote = try db.run("SELECT 1 FROM pragma_table_info('Orders') WHERE name = 'Note'").rows.count > 0
            let rows = try db.run("SELECT PK_ID, Name, Qty, Price, Paid, Due, Modified\(hasNote ? ", Note" : "") FROM Orders ORDER BY PK_ID").rows
            return rows.map { row in
                var cells = row.map(Self.text)
                if case .real(let d) = row[3] { cells[3] = String(format: "%g", d) }
                cells[4] = cells[4] == "1" ? "true" : cells[4] == "0" ? "false" : cells[4]
                if !hasNote { cells.append("nil") }
                return cells.joined(separator: "|")
            }
        }

        static func text(_ value: SQLValue) -> String {
            switch value {
            case .null: "nil"
            case .integer(let i): String(i)
            case .real(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
            case .text(let s): s
            case .blob(let b): "\(b.count) bytes"
            }
        }

        func state() throws -> [SQLValue] {
            let db = try SQLiteConnection(path: database)
            defer { db.close() }
            return try db.run("SELECT cursor, row_count, fingerprint FROM _caspio_mirror WHERE table_name = 'Orders'").rows.first ?? []
        }

        deinit { sandbox.terminateInBackground(thenRemove: directory) }
    }

    /// The line of the table in a run's output.
    static func line(_ result: ProcessResult, _ table: String = "Orders") -> String {
        result.stdout.split(separator: "\n").first { $0.hasPrefix(table + ": ") && $0.contains("inserted") }.map(String.init) ?? ""
    }

    @Test(arguments: [3, 4]) func firstCopyThenChangesThenNewField(version: Int) async throws {
        let f = try await Fixture(version: version)
        let first = try await f.mirror()
        #expect(Self.line(first).hasPrefix("Orders: copied: 30 inserted, 0 updated, 0 deleted"), "\(first.stdout)")
        #expect(first.stdout.contains("total: 1 table, 30 inserted, 0 updated, 0 deleted"))
        let source = try await f.source()
        #expect(source.count == 30)
        #expect(try f.mirrored() == source)
        #expect(try f.state().first == .text("2026-11-01T10:30:00"))

        // An insert, an update stamped after the cursor, one stamped 5 minutes before it (a
        // late commit, inside the 10-minute lookback), and a delete.
        try await f.lua(Self.changes)
        // The row without a stamp is found by the key comparison, and read by its key.
        let second = try await f.mirror()
        #expect(Self.line(second).contains(": 2 inserted, 2 updated, 1 deleted"), "\(second.stdout)")
        #expect(Self.line(second).contains("changes since 2026-11-01T10:20:00"), "\(second.stdout)")
        #expect(try await f.mirrored() == (try f.source()))

        // A new field: a column added, its value copied.
        try await f.lua("""
            local t = caspio.table("Orders")
            t:add_field({Name = "Note", Type = "STRING"})
            t:update("PK_ID = 6", {Note = "hello", Modified = "2026-11-01T11:02:00"})
            """)
        let third = try await f.mirror()
        #expect(third.stdout.contains("Orders: new field Note (STRING): column added"), "\(third.stdout)")
        #expect(Self.line(third).contains(": 0 inserted, 1 updated, 0 deleted"), "\(third.stdout)")
        #expect(try await f.mirrored() == (try f.source()))
    }

    /// A removed field keeps its column (and values) until --prune drops it; a field added
    /// again with another type copies the table anew.
    @Test(arguments: [3, 4]) func removedAndRetypedFields(version: Int) async throws {
        let f = try await Fixture(version: version)
        _ = try await f.mirror()
        try await f.lua(#"local t = caspio.table("Orders"); t:delete_field("Due"); t:delete_field("Qty"); t:add_field({Name = "Qty", Type = "STRING"})"#)
        let changed = try await f.mirror()
        #expect(changed.stdout.contains("Orders: field Qty is now STRING (was INTEGER): the table is copied anew"), "\(changed.stdout)")
        #expect(Self.line(changed).hasPrefix("Orders: copied anew: 0 inserted, 30 updated, 0 deleted"), "\(changed.stdout)")
        func columns() throws -> [String] {
            let db = try SQLiteConnection(path: f.database)
            defer { db.close() }
            return try db.run("SELECT name || ' ' || type FROM pragma_table_info('Orders') ORDER BY cid").rows.map { Fixture.text($0[0]) }
        }
        // Caspio's order (as the sandbox lists the fields), then the column kept.
        let kept = try columns()
        #expect(kept == ["PK_ID INTEGER", "Name TEXT", "Price NUMERIC", "Paid BOOLEAN", "Qty TEXT", "Modified TIMESTAMP", "Due TIMESTAMP"], "\(kept)")
        let db = try SQLiteConnection(path: f.database)
        #expect(try db.run("SELECT Due FROM Orders WHERE PK_ID = 1").rows.first == [.text("2026-02-11T08:30:00")])
        db.close()
        let pruned = try await f.mirror(["--prune"])
        #expect(pruned.stdout.contains("Orders: field Due is gone: column dropped (prune)"), "\(pruned.stdout)")
        let left = try columns()
        #expect(left == ["PK_ID INTEGER", "Name TEXT", "Price NUMERIC", "Paid BOOLEAN", "Qty TEXT", "Modified TIMESTAMP"], "\(left)")
    }

    /// An unchanged table costs one call a run when the key comparison is not due; with the
    /// comparison due (the default, every run), it adds the design and one page of keys.
    @Test(arguments: [3, 4]) func unchangedRunCalls(version: Int) async throws {
        let f = try await Fixture(version: version)
        _ = try await f.mirror(["--deletes-every", "3"])
        let quiet = try await f.mirror(["--deletes-every", "3"])
        #expect(Self.line(quiet).contains("0 inserted, 0 updated, 0 deleted, 1 call;"), "\(quiet.stdout)")
        #expect(quiet.stdout.contains("total: 1 table, 0 inserted, 0 updated, 0 deleted, 1 call\n"), "\(quiet.stdout)")
        let due = try await f.mirror()
        #expect(Self.line(due).contains("0 inserted, 0 updated, 0 deleted, 3 calls;"), "\(due.stdout)")
        // Without a cursor: on v3 the table is read in full, and the line says so; on v4 one
        // call (a count with a checksum over the rows) tells it unchanged, when the key
        // comparison (which reads the design) is not due; a changed one is read.
        let other = "sqlite:" + f.directory.appendingPathComponent("whole.db").path
        #expect(try await f.run(["mirror", other, "--tables", "Orders"]).status == 0)
        let whole = try await f.run(["mirror", other, "--tables", "Orders", "--deletes-every", "3"])
        #expect(whole.status == 0, "\(whole.stderr)")
        if version == 3 {
            #expect(Self.line(whole).contains("read in full (no cursor): 0 inserted, 0 updated, 0 deleted"), "\(whole.stdout)")
            return
        }
        #expect(Self.line(whole).contains("unchanged (no cursor; count and checksum as last run): 0 inserted, 0 updated, 0 deleted, 1 call;"), "\(whole.stdout)")
        try await f.lua(#"caspio.table("Orders"):update("PK_ID = 7", {Name = "Renamed"})"#)
        let changed = try await f.run(["mirror", other, "--tables", "Orders"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(Self.line(changed).contains("read in full (no cursor): 0 inserted, 1 updated, 0 deleted"), "\(changed.stdout)")
        #expect(changed.stdout.contains("Orders: count or checksum changed since the last run: the table is read in full"), "\(changed.stdout)")
        let db = try SQLiteConnection(path: f.directory.appendingPathComponent("whole.db").path)
        defer { db.close() }
        #expect(try db.run("SELECT Name FROM Orders WHERE PK_ID = 7").rows == [[.text("Renamed")]])
        let after = try await f.run(["mirror", other, "--tables", "Orders", "--deletes-every", "3"])
        #expect(Self.line(after).contains("unchanged (no cursor; count and checksum as last run): 0 inserted, 0 updated, 0 deleted, 1 call;"), "\(after.stdout)")
    }

    /// kill -9 while pages are still coming: nothing of the copy is committed; the rerun
    /// copies every row once.
    @Test func killedMidCopyThenRerun() async throws {
        let f = try await Fixture(rows: 2600, extra: ["--latency", "400"])
        let process = try SpawnedProcess(caspioBinary, ["mirror", f.target, "--tables", "Orders", "--log-level", "debug"],
                                         environment: f.env, directory: f.directory, seconds: 120)
        try await process.waitForOutput("q.pageNumber=1", onStderr: true, timeout: 60)
        process.signal(SIGKILL)
        _ = try? await process.finish()
        if FileManager.default.fileExists(atPath: f.database) {
            let db = try SQLiteConnection(path: f.database)
            let tables = try db.run("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'Orders%'").rows
            db.close()
            #expect(tables.isEmpty, "a killed copy left \(tables)")
        }
        let rerun = try await f.run(["mirror", f.target, "--tables", "Orders"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(Self.line(rerun).hasPrefix("Orders: copied: 2600 inserted"), "\(rerun.stdout)")
        let db = try SQLiteConnection(path: f.database)
        defer { db.close() }
        #expect(try db.run("SELECT count(*), count(DISTINCT PK_ID) FROM Orders").rows.first == [.integer(2600), .integer(2600)])
    }

    /// --every mirrors, then pauses, holding the target's lock; SIGTERM ends the pause at once
    /// (exit 143).
    @Test func everyStopsOnSigterm() async throws {
        let f = try await Fixture()
        let process = try SpawnedProcess(caspioBinary, ["mirror", f.target, "--tables", "Orders", "--every", "1h"],
                                         environment: f.env, directory: f.directory, seconds: 60)
        try await process.waitForOutput("total: 1 table", timeout: 30)
        // One mirror per target: a second one, while the first pauses, does not start.
        let second = try await f.run(["mirror", f.target, "--tables", "Orders"])
        #expect(second.status == 75, "\(second.stdout)\n\(second.stderr)")
        let sent = Date()
        process.signal(SIGTERM)
        let result = try await process.finish()
        #expect(result.status == 143, "\(result.stderr)")
        #expect(Date().timeIntervalSince(sent) < 10)
    }

    /// --dry-run reads and compares, and commits nothing.
    @Test func dryRunCommitsNothing() async throws {
        let f = try await Fixture()
        let result = try await f.run(["mirror", f.target, "--tables", "Orders", "--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.line(result).hasPrefix("Orders: copied: 30 inserted"), "\(result.stdout)")
        let db = try SQLiteConnection(path: f.database)
        defer { db.close() }
        #expect(try db.run("SELECT name FROM sqlite_master").rows.isEmpty)
    }

    /// --max-requests as for `run`: the table done is committed and its line printed; the one
    /// the budget stops is rolled back; exit 4.
    @Test func budgetStopsBetweenTables() async throws {
        let f = try await Fixture()
        let result = try await f.run(["mirror", f.target, "--tables", "Notes,Orders", "--max-requests", "3"])
        #expect(result.status == 4, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.hasPrefix("Notes: copied: 2 inserted, 0 updated, 0 deleted, 2 calls; 2 rows\n"), "\(result.stdout)")
        #expect(!result.stdout.contains("total:"))
        #expect(result.stderr.contains("budget"), "\(result.stderr)")
        let db = try SQLiteConnection(path: f.database)
        defer { db.close() }
        #expect(try db.run("SELECT table_name FROM _caspio_mirror").rows == [[.text("Notes")]])
        #expect(try db.run("SELECT name FROM sqlite_master WHERE name LIKE 'Orders%'").rows.isEmpty)
    }

    /// A PostgreSQL target, read as --store reads one: typed columns, the first copy equal to
    /// the source, then an insert, updates (one late, inside the lookback) and a delete; an
    /// unchanged run's one call; a retyped field copies the table anew, its key's index named
    /// as the table's.
    @Test func postgresTarget() async throws {
        let database = try await TestPostgres.make()
        let f = try await Fixture()
        f.env["PGPASSWORD"] = database.password
        func mirror(_ extra: [String] = []) async throws -> ProcessResult {
            let result = try await f.run(["mirror", database.url, "--tables", "Orders", "--cursor", "Orders.Modified"] + extra)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            return result
        }
        func mirrored() async throws -> [String] {
            let date = { (column: String) in "coalesce(to_char(\"\(column)\", 'YYYY-MM-DD\"T\"HH24:MI:SS'), 'nil')" }
            let rows = try await database.sql("""
                SELECT concat_ws('|', "PK_ID", "Name", coalesce("Qty"::text, 'nil'), "Price", CASE WHEN "Paid" THEN 'true' ELSE 'false' END,
                  \(date("Due")), \(date("Modified")), 'nil') FROM "Orders" ORDER BY "PK_ID"
                """)
            return rows.split(separator: "\n").map(String.init)
        }
        let first = try await mirror()
        #expect(Self.line(first).hasPrefix("Orders: copied: 30 inserted, 0 updated, 0 deleted"), "\(first.stdout)")
        let types = try await database.sql("""
            SELECT attname || ' ' || format_type(atttypid, atttypmod) FROM pg_attribute
            WHERE attrelid = '"Orders"'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum
            """)
        #expect(types.split(separator: "\n") == [
            "PK_ID bigint", "Name text", "Qty bigint", "Price numeric", "Paid boolean", "Due timestamp without time zone", "Modified timestamp without time zone",
        ], "\(types)")
        #expect(try await database.sql(#"SELECT cursor, row_count FROM "_caspio_mirror" WHERE table_name = 'Orders'"#) == "2026-11-01T10:30:00|30")
        #expect(try await mirrored() == (try f.source()))

        try await f.lua(Self.changes)
        let second = try await mirror()
        #expect(Self.line(second).contains("changes since 2026-11-01T10:20:00: 2 inserted, 2 updated, 1 deleted"), "\(second.stdout)")
        #expect(try await mirrored() == (try f.source()))

        let quiet = try await mirror(["--deletes-every", "3"])
        #expect(Self.line(quiet).contains("0 inserted, 0 updated, 0 deleted, 1 call;"), "\(quiet.stdout)")

        try await f.lua(#"local t = caspio.table("Orders"); t:delete_field("Qty"); t:add_field({Name = "Qty", Type = "INTEGER"}); t:delete_field("Due"); t:add_field({Name = "Due", Type = "STRING"})"#)
        let retyped = try await mirror()
        #expect(retyped.stdout.contains("field Due is now STRING (was timestamp without time zone): the table is copied anew"), "\(retyped.stdout)")
        #expect(Self.line(retyped).contains("copied anew: 0 inserted, 31 updated, 0 deleted"), "\(retyped.stdout)")
        #expect(try await database.sql(#"SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = '"Orders"'::regclass AND indisprimary"#) == #""Orders_pkey""#)
        #expect(try await database.sql(#"SELECT count(*), count("Qty"), count("Due") FROM "Orders""#) == "31|0|0")
    }

    /// A target caspio cannot write is a configuration error (exit 2) before any request.
    @Test func badTarget() async throws {
        let f = try await Fixture()
        for target in ["mysql://me:sekret-pw@host/db", "sqlite:", "caspio.db"] {
            let result = try await f.run(["mirror", target, "--tables", "Orders", "--summary"])
            #expect(result.status == 2, "\(target): \(result.stderr)")
            #expect(result.stderr.contains("sqlite:PATH"), "\(target): \(result.stderr)")
            #expect(result.stderr.contains("summary: requests 0 "), "\(target): \(result.stderr)")
            #expect(!result.stderr.contains("sekret-pw"), "\(result.stderr)")
        }
        // A PostgreSQL target that cannot be opened: its URL's fault named, the password never.
        let port = try TestPostgres.freePort()
        let cases = [
            ("postgres://mirror:sekret-pw@127.0.0.1:\(port)/db?sslmode=disable", "cannot open the target postgres://mirror:***@127.0.0.1:\(port)/db"),
            ("postgres://127.0.0.1/db?colour=blue", "has the parameter 'colour'"),
        ]
        for (target, message) in cases {
            let result = try await f.run(["mirror", target, "--tables", "Orders", "--summary"])
            #expect(result.status == 2, "\(target): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(target): \(result.stderr)")
            #expect(!result.stderr.contains("sekret-pw") && !result.stdout.contains("sekret-pw"), "\(result.stderr)")
            #expect(result.stderr.contains("summary: requests 0 "), "\(target): \(result.stderr)")
        }
        let neither = try await f.run(["mirror", f.target])
        #expect(neither.status == 2)
        #expect(neither.stderr.contains("--tables A,B or --all"))
    }
}
