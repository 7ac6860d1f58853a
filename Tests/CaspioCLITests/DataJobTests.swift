import CaspioTestSupport
import Foundation
import Testing

/// `caspio import` and `caspio export` against a `caspio sandbox` process: typed rows, reruns
/// that write nothing, updates of what changed only, a kill -9 mid-import, export column
/// order, dry runs, and bad input stopped before the first write.
@Suite(.serialized) struct DataJobTests {
    static let seed = """
        {"Tables": [{"Name": "Contacts", "Fields": [
          {"Name": "Email", "Type": "STRING", "Unique": true}, {"Name": "Name", "Type": "STRING"},
          {"Name": "Age", "Type": "INTEGER"}, {"Name": "Joined", "Type": "DATE/TIME"},
          {"Name": "Active", "Type": "YES/NO"}, {"Name": "Score", "Type": "NUMBER"}], "Rows": []}]}
        """

    static let contacts = "\u{FEFF}Name,Email,Age,Joined,Active,Score\r\n"
        + "\"Lovelace, Ada\",ada@example.com,36,1815-12-10,yes,9.5\r\n"
        + "\"Bob \"\"the\"\" Builder\",bob@example.com,,2024-01-05 15:17,FALSE,\r\n"
        + "\"Cy\r\nTwo lines\",cy@example.com,7,,1,-2\r\n"
        + "Dee 😀,dee@example.com,0,2020-02-29T08:00:00,No,1e3\r\n"

    /// A sandbox with the Contacts table, and a directory with the CSV; the environment to reach it.
    final class Fixture {
        let sandbox: SpawnedProcess
        let directory: URL
        var env: [String: String]

        init(extra: [String] = []) async throws {
            directory = try temporaryDirectory()
            let seedFile = try write(DataJobTests.seed, to: directory.appendingPathComponent("seed.json"))
            let (process, exports) = try await SpawnedProcess.sandbox(["--seed", seedFile.path, "--rate-limit", "off"] + extra, seconds: 300)
            sandbox = process
            env = exports
            env["CASPIO_TOKEN_CACHE"] = "off"
            env["CASPIO_CONFIG"] = directory.path + "/none.toml"
            env["HOME"] = directory.path
        }

        func file(_ name: String, _ text: String) throws -> String {
            try write(text, to: directory.appendingPathComponent(name)).path
        }

        func run(_ arguments: [String]) async throws -> ProcessResult {
            try await caspio(arguments, environment: env, directory: directory)
        }

        /// Every row, ordered by Email, one line each (PK_ID left out).
        func rows() async throws -> String {
            let result = try await run(["-e", """
                for row in caspio.table("Contacts"):rows({orderBy = "Email"}) do
                  print(row.Email, row.Name, row.Age, row.Joined, row.Active, row.Score)
                end
                """])
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout
        }

        deinit { sandbox.terminateInBackground(thenRemove: directory) }
    }

    /// Import holds the table's lock by default (two imports at once wrote every new row
    /// twice), export takes --lock like run, --no-lock opts out, and a key that more than one
    /// row already holds is reported.
    @Test func importHoldsTheTablesLockAndReportsAKeyHeldTwice() async throws {
        let f = try await Fixture()
        f.env["XDG_STATE_HOME"] = f.directory.path
        let csv = try f.file("contacts.csv", Self.contacts)
        let locks = f.directory.path + "/caspio/locks"
        try FileManager.default.createDirectory(atPath: locks, withIntermediateDirectories: true)
        let lockPath = locks + "/table-Contacts.lock"
        let held = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        #expect(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0)
        let refused = try await f.run(["import", "Contacts", csv, "--key", "Email"])
        #expect(refused.status == 75, "\(refused.stderr)")
        #expect(refused.stderr == "caspio: another run holds the lock \(lockPath); not starting (exit 75)\n", "\(refused.stderr)")
        let export = try await f.run(["-v", "export", "Contacts", "--lock"])
        #expect(export.status == 75, "\(export.stderr)")
        let unlocked = try await f.run(["import", "Contacts", csv, "--key", "Email", "--no-lock"])
        #expect(unlocked.status == 0, "\(unlocked.stderr)")
        close(held)

        let twin = try await f.run(["-e", "caspio.table('Contacts'):insert({Email = 'twin@example.com', Name = 'Dee 😀', Age = 0})"])
        #expect(twin.status == 0, "\(twin.stderr)")
        let names = try f.file("names.csv", "Name,Age\r\nDee 😀,0\r\n")
        let again = try await f.run(["import", "Contacts", names, "--key", "Name"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("Contacts: 1 key is held by more than one row of the table"), "\(again.stderr)")
        #expect(again.stderr.contains("1 row: 0 inserted, 0 updated, 1 unchanged"), "\(again.stderr)")
    }

    /// The parameters reach the job as Lua values, whatever their bytes: nothing is spliced
    /// into source.
    @Test func parametersReachTheJobAsTheyAre() async throws {
        let f = try await Fixture()
        let name = "No\"pe\\]]\n"
        let export = try await f.run(["export", name])
        #expect(export.status == 5, "\(export.stderr)")
        #expect(export.stderr.contains("Cannot find table 'No\"pe\\]]"), "\(export.stderr)")
    }

    @Test func importsTypedRowsThenARerunWritesNothingAndChangesAreUpdatesOnly() async throws {
        let f = try await Fixture()
        let csv = try f.file("contacts.csv", Self.contacts)
        let first = try await f.run(["import", "Contacts", csv, "--key", "Email", "--summary"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("Contacts: 4 rows: 4 inserted, 0 updated, 0 unchanged"), "\(first.stderr)")
        #expect(!first.stderr.contains("rows/s") && !first.stderr.contains("\r"), "no bar in a pipe: \(first.stderr)")
        #expect(try await f.rows() == """
            ada@example.com\tLovelace, Ada\t36\t1815-12-10T00:00:00\ttrue\t9.5
            bob@example.com\tBob "the" Builder\tnull\t2024-01-05T15:17:00\tfalse\tnull
            cy@example.com\tCy\r\nTwo lines\t7\tnull\ttrue\t-2.0
            dee@example.com\tDee 😀\t0\t2020-02-29T08:00:00\tfalse\t1000.0

            """)
        let again = try await f.run(["import", "Contacts", csv, "--key", "Email", "--summary"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("4 rows: 0 inserted, 0 updated, 4 unchanged"), "\(again.stderr)")
        #expect(again.stderr.contains("requests 2 (GET 2)"), "design and one lookup, no write: \(again.stderr)")

        let changed = Self.contacts.replacingOccurrences(of: ",36,", with: ",37,")
            .replacingOccurrences(of: "FALSE", with: "true").replacingOccurrences(of: "Dee 😀", with: "Dee")
            + "Eve,eve@example.com,,,,\r\n"
        let third = try await f.run(["import", "Contacts", try f.file("changed.csv", changed), "--key", "Email", "--summary"])
        #expect(third.status == 0, "\(third.stderr)")
        #expect(third.stderr.contains("5 rows: 1 inserted, 3 updated, 1 unchanged"), "\(third.stderr)")
        #expect(third.stderr.contains("POST 1, PUT 3"), "\(third.stderr)")
    }

    static let badInput: [(name: String, csv: String, message: String)] = [
        ("a cell that does not convert", "Email,Age\na@x,1\nb@x,abc\n", #"line 3: field Age: cannot convert "abc" to INTEGER"#),
        ("a date that does not exist", "Email,Joined\na@x,2023-02-29\n", #"line 2: field Joined: cannot convert "2023-02-29" to DATE/TIME"#),
        ("a key given twice", "Email,Age\na@x,1\nb@x,2\nA@X,3\n", "line 2 and line 4 have the same key (Email = \"A@X\")"),
        ("a malformed line", "Email,Age\na@x,1\nb@x,\"2\"x\n", "contacts.csv:3: text after a closing quote"),
        ("a field the table lacks", "Email,Agee\na@x,1\n", "Contacts has no field 'Agee' (did you mean 'Age'?)"),
    ]

    @Test func badInputIsNamedAndNothingIsWritten() async throws {
        let f = try await Fixture()
        for c in Self.badInput {
            let result = try await f.run(["import", "Contacts", try f.file("contacts.csv", c.csv), "--key", "Email", "--summary"])
            #expect(result.status == 1, "\(c.name): \(result.stderr)")
            #expect(result.stderr.contains(c.message), "\(c.name): \(result.stderr)")
            #expect(!result.stderr.contains("POST") && !result.stderr.contains("PUT"), "\(c.name): \(result.stderr)")
            #expect(!result.stderr.contains("stack traceback"), "the fix is in the data, not the script: \(result.stderr)")
        }
        #expect(try await f.rows() == "")
    }

    @Test func exportWritesColumnsInTheTablesOrder() async throws {
        let f = try await Fixture()
        let csv = try f.file("contacts.csv", Self.contacts)
        #expect(try await f.run(["import", "Contacts", csv]).status == 0)
        let out = f.directory.appendingPathComponent("out.csv").path
        let exported = try await f.run(["export", "Contacts", "-o", out, "--order-by", "Email"])
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stderr.contains("Contacts: 4 rows exported to \(out)"))
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(text.hasPrefix("PK_ID,Email,Name,Age,Joined,Active,Score\n1,ada@example.com,\"Lovelace, Ada\",36,1815-12-10T00:00:00,true,9.5\n"), "\(text)")
        let jsonl = try await f.run(["export", "Contacts", "--format", "jsonl", "--select", "Email,Age", "--where", "Age > 5", "--order-by", "Age"])
        #expect(jsonl.stdout == "{\"Email\":\"cy@example.com\",\"Age\":7}\n{\"Email\":\"ada@example.com\",\"Age\":36}\n", "\(jsonl.stderr)")
        // Round trip: what export wrote imports as unchanged.
        let back = try await f.run(["import", "Contacts", out, "--key", "Email"])
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stderr.contains("0 inserted, 0 updated"), "\(back.stderr)")
        // JSON both ways: keys in the table's order, and what was exported imports unchanged.
        let json = f.directory.appendingPathComponent("out.json").path
        #expect(try await f.run(["export", "Contacts", "-o", json, "--select", "Email,Age", "--order-by", "Email"]).status == 0)
        let jsonText = try String(contentsOfFile: json, encoding: .utf8)
        #expect(jsonText.hasPrefix("[\n{\"Email\":\"ada@example.com\",\"Age\":36},\n"), "\(jsonText)")
        let jsonBack = try await f.run(["import", "Contacts", json, "--key", "Email"])
        #expect(jsonBack.stderr.contains("4 rows: 0 inserted, 0 updated, 4 unchanged"), "\(jsonBack.stderr)")
    }

    /// An export (PK_ID and all) imports into an emptied table without --key: Caspio's own
    /// fields are left out. Standard input is a file too. A key Caspio generates cannot
    /// insert a row it does not find (a rerun would insert it again): refused before writing.
    @Test func anExportImportsBackAndGeneratedKeysCannotInsert() async throws {
        let f = try await Fixture()
        #expect(try await f.run(["import", "Contacts", try f.file("contacts.csv", Self.contacts)]).status == 0)
        let out = f.directory.appendingPathComponent("out.csv").path
        #expect(try await f.run(["export", "Contacts", "-o", out]).status == 0)
        let before = try await f.rows()
        #expect(try await f.run(["-e", #"caspio.table("Contacts"):delete(nil, {all = true})"#]).status == 0)
        let inserted = try await f.run(["import", "Contacts", out, "--summary"])
        #expect(inserted.status == 0, "\(inserted.stderr)")
        #expect(inserted.stderr.contains("Contacts: 4 rows inserted"), "\(inserted.stderr)")
        #expect(try await f.rows() == before)

        let piped = try await caspio(["import", "Contacts", "-", "--key", "Email"], stdin: try String(contentsOfFile: out, encoding: .utf8), environment: f.env, directory: f.directory)
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stderr.contains("4 rows: 0 inserted, 0 updated, 4 unchanged"), "\(piped.stderr)")

        let byID = try await f.run(["import", "Contacts", try f.file("ids.csv", "PK_ID,Age\n5,40\n999,1\n"), "--key", "PK_ID"])
        #expect(byID.status == 1, "\(byID.stderr)")
        #expect(byID.stderr.contains("upsert: line 3: Contacts has no row with PK_ID = 999, and Caspio generates PK_ID"), "\(byID.stderr)")
        #expect(try await f.rows() == before, "nothing was written, not even line 2's update")
    }

    /// The demo's Staff table: its PASSWORD field (which reads cannot select) is no column,
    /// its LIST field a cell of JSON.
    @Test func exportLeavesPasswordsOutAndWritesListsAsJSON() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await caspio(["export", "--sandbox", "Staff"], environment: ["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml"], directory: directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("PK_ID,Name,Email,Joined,Skills,Photo,Updated\n1,Ada Park,ada@example.com,2021-03-01T00:00:00,\"{\"\"1\"\":\"\"SQL\"\",\"\"2\"\":\"\"Lua\"\"}\",ada.txt,2024-01-05T09:00:00\n"), "\(result.stdout)")
    }

    @Test func aDryRunSendsReadsOnly() async throws {
        let f = try await Fixture()
        #expect(try await f.run(["import", "Contacts", try f.file("one.csv", "Email,Age\nada@example.com,1\n")]).status == 0)
        let csv = try f.file("contacts.csv", Self.contacts)
        let dry = try await f.run(["import", "Contacts", csv, "--key", "Email", "--dry-run", "--summary"])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stderr.contains("dry run: POST tables/Contacts/records {"), "\(dry.stderr)")
        #expect(dry.stderr.contains("dry run: PUT tables/Contacts/records?q.where=Email='ada@example.com'"), "\(dry.stderr)")
        #expect(dry.stderr.contains("dry run: 4 writes not sent (POST tables/Contacts/records: 3, PUT tables/Contacts/records: 1)"), "\(dry.stderr)")
        #expect(dry.stderr.contains("(GET "), "\(dry.stderr)")
        #expect(dry.stderr.contains("rows read 1, written 0"), "stand-ins write no rows: \(dry.stderr)")
        #expect(!dry.stderr.contains("POST 1") && !dry.stderr.contains("PUT 1"), "the client sent no write: \(dry.stderr)")
        #expect(try await f.rows() == "ada@example.com\tnull\t1\tnull\tnull\tnull\n")
        // caspio run --dry-run and CASPIO_DRY_RUN=1: raw requests too, with a count for deletes.
        let script = try f.file("wipe.lua", """
            print(caspio.table("Contacts"):delete(nil, {all = true}))
            print(caspio.request("POST", "files", {body = "x"}).status)
            """)
        for arguments in [["run", "--dry-run", script], ["run", script]] {
            var env = f.env
            if arguments.count == 2 { env["CASPIO_DRY_RUN"] = "1" }
            let result = try await caspio(arguments, environment: env, directory: f.directory)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == "1\n201\n")
            #expect(result.stderr.contains("dry run: 2 writes not sent (DELETE tables/Contacts/records: 1, POST files: 1)"), "\(result.stderr)")
        }
        #expect(try await f.rows() == "ada@example.com\tnull\t1\tnull\tnull\tnull\n")
        // Stand-ins answer as Caspio does: no content for a task run, a file delete, a deployment.
        let statuses = try await f.run(["run", "--dry-run", "-e", """
            for _, w in ipairs({{"POST", "dataImportExportTasks/k/run"}, {"DELETE", "files/k"}, {"PUT", "bridgeApplications/a/datapages/deployment"},
                                {"PUT", "tables/Contacts/attachments/F/1/fileInfo"}, {"POST", "directories/d/users/activate"}, {"POST", "tables"}}) do
              io.write(caspio.request(w[1], w[2], {json = {}}).status, " ")
            end
            """])
        #expect(statuses.stdout == "204 204 204 200 200 201 ", "\(statuses.stderr)")
    }

    /// CASPIO_DRY_RUN reaches every command that can write (a `caspio request` POST is told,
    /// not sent; the REPL's writes get stand-ins), and a value it cannot read is refused.
    @Test func theDryRunVariableReachesEveryCommandAndIsReadStrictly() async throws {
        let f = try await Fixture()
        func with(_ value: String, _ arguments: [String], stdin: String? = nil) async throws -> ProcessResult {
            var env = f.env
            env["CASPIO_DRY_RUN"] = value
            return try await caspio(arguments, stdin: stdin, environment: env, directory: f.directory)
        }
        let post = ["request", "POST", "tables/Contacts/records", "--json", #"{"Email":"x@example.com"}"#]
        for on in ["1", "true", "YES", "on"] {
            let told = try await with(on, post)
            #expect(told.status == 0, "\(told.stderr)")
            #expect(told.stdout.isEmpty)
            #expect(told.stderr == "caspio: dry run: POST tables/Contacts/records (25 bytes), not sent\n", "\(told.stderr)")
        }
        let repl = try await with("1", ["repl"], stdin: #"caspio.table("Contacts"):insert({Email = "y@example.com"}).Email"# + "\n")
        #expect(repl.status == 0, "\(repl.stderr)")
        #expect(repl.stderr.contains("dry run: POST tables/Contacts/records"), "\(repl.stderr)")
        #expect(try await f.rows() == "", "nothing was written")

        for unreadable in ["2", "maybe", "dry"] {
            for arguments in [post, ["run", "-e", "print(1)"], ["repl"], ["import", "Contacts", "x.csv"]] {
                let refused = try await with(unreadable, arguments, stdin: "")
                #expect(refused.status == 2, "\(arguments): \(refused.stderr)")
                #expect(refused.stderr.contains("CASPIO_DRY_RUN must be 1 (a dry run) or 0 (none), not '\(unreadable)'"), "\(arguments): \(refused.stderr)")
            }
        }
        let sent = try await with("0", post)
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(try await f.rows().hasPrefix("x@example.com"))
    }

    /// On a terminal: a bar with rows, rate and time left while it runs, then the summary.
    @Test func aTerminalGetsAProgressBar() async throws {
        let f = try await Fixture(extra: ["--latency", "20"])
        let csv = try f.file("many.csv", "Email\n" + (1...150).map { "u\($0)@x" }.joined(separator: "\n") + "\n")
        let session = try await TmuxSession([caspioBinary.path, "import", "Contacts", csv, "--key", "Email", "--concurrency", "1"], environment: f.env, directory: f.directory)
        let (sawBar, barScreen) = try await session.waitFor(timeout: 60) { $0.contains("/150 rows") && $0.contains("rows/s  ETA") }
        #expect(sawBar, "\(barScreen)")
        let (done, screen) = try await session.waitFor("[exit 0]", timeout: 60)
        #expect(done, "\(screen)")
        #expect(screen.contains("Contacts: 150 rows: 150 inserted, 0 updated, 0 unchanged in"), "\(screen)")
        #expect(!screen.contains("ETA"), "the bar is cleared at the end: \(screen)")
    }

    /// A kill -9 while inserts are in flight, then the same import again: every row once.
    @Test func killedMidImportThenRerunLeavesEveryRowOnce() async throws {
        let f = try await Fixture(extra: ["--latency", "20"])
        let count = 300
        let csv = try f.file("many.csv", "Email,Age\n" + (1...count).map { "user\($0)@example.com,\($0)" }.joined(separator: "\n") + "\n")
        let importing = try SpawnedProcess(caspioBinary, ["import", "Contacts", csv, "--key", "Email", "--concurrency", "8"], environment: f.env, directory: f.directory, seconds: 120)
        // Polls the server (each poll a process of its own, so bounded) until some rows are in.
        var stored = 0
        for _ in 1...200 where stored < 40 {
            stored = await Int(try f.run(["-e", "io.write(caspio.table('Contacts'):count())"]).stdout) ?? 0
        }
        importing.signal(SIGKILL)
        _ = try? await importing.finish()
        #expect(stored >= 40 && stored < count, "killed after \(stored) rows")
        let rerun = try await f.run(["import", "Contacts", csv, "--key", "Email", "--concurrency", "8"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        let check = try await f.run(["-e", """
            local t, seen, n = caspio.table("Contacts"), {}, 0
            for row in t:rows() do
              assert(not seen[row.Email], row.Email .. " twice")
              seen[row.Email] = true
              n = n + 1
            end
            io.write(n)
            """])
        #expect(check.stdout == "\(count)", "\(check.stderr)")
    }
}
