import CaspioSandbox
import CaspioTestSupport
import Foundation
import SQLiteLayer
import Testing

/// A TIMESTAMP field Caspio stamps on update is a mirror's cursor without --cursor, read from
/// the fields listing of v3 and of v4. The sandbox runs in this process on the test's clock
/// (shuffled pages on), so that a row can be stamped earlier than the cursor, as a late
/// commit is; `caspio mirror` runs as a process.
@Suite(.serialized) struct MirrorStampTests {
    static let seed = """
        {"Tables": [{"Name": "Tasks", "Fields": [{"Name": "Title", "Type": "STRING"},
          {"Name": "Updated", "Type": "TIMESTAMP", "OnInsert": true, "OnUpdate": true}],
          "Rows": [\((1...20).map { #"{"Title": "Task \#($0)", "Updated": "2026-03-01T09:\#(String(format: "%02d", $0)):00"}"# }.joined(separator: ","))]}]}
        """

    @Test(arguments: [3, 4])
    func stampedFieldIsTheCursor(version: Int) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let clock = SetClock("2026-03-01T10:00:00")
        var settings = SandboxSettings.caspioLike
        settings.seedPath = try write(Self.seed, to: directory.appendingPathComponent("seed.json")).path
        settings.rateLimit = nil
        let sandbox = try await RunningSandbox.start(settings, clock: SandboxClock(dates: clock.read))
        do { try await check(sandbox, clock, version, directory) } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    func check(_ sandbox: RunningSandbox, _ clock: SetClock, _ version: Int, _ directory: URL) async throws {
        var env = Dictionary(uniqueKeysWithValues: sandbox.environment)
        env.merge(["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml", "CASPIO_TOKEN_CACHE": "off", "XDG_RUNTIME_DIR": directory.path]) { $1 }
        // Writes go through v3 (the client reads v4 only); the mirror reads through `version`.
        var reads = env
        reads["CASPIO_BASE_URL"] = sandbox.origin + "/integrations/rest/v\(version)"
        let database = directory.appendingPathComponent("mirror.db").path
        func mirror(_ extra: [String] = []) async throws -> String {
            let result = try await caspio(["mirror", "sqlite:" + database, "--tables", "Tasks"] + extra, environment: reads, directory: directory)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            return result.stdout.split(separator: "\n").first { $0.hasPrefix("Tasks: ") && $0.contains("inserted") }.map(String.init) ?? result.stdout
        }
        func update(_ key: Int, _ title: String) async throws {
            let result = try await caspio(["-e", #"caspio.table("Tasks"):update("PK_ID = \#(key)", {Title = "\#(title)"})"#], environment: env, directory: directory)
            #expect(result.status == 0, "\(result.stderr)")
        }
        func rows() throws -> [[SQLValue]] {
            let db = try SQLiteConnection(path: database)
            defer { db.close() }
            return try db.run(#"SELECT "PK_ID", "Title", "Updated" FROM "Tasks" ORDER BY "PK_ID""#).rows
        }
        func state() throws -> [SQLValue] {
            let db = try SQLiteConnection(path: database)
            defer { db.close() }
            return try db.run("SELECT cursor_field, cursor FROM _caspio_mirror WHERE table_name = 'Tasks'").rows.first ?? []
        }

        #expect(try await mirror().hasPrefix("Tasks: copied: 20 inserted"))
        #expect(try state() == [.text("Updated"), .text("2026-03-01T09:20:00")])
        #expect(try rows().first == [.integer(1), .text("Task 1"), .text("2026-03-01T09:01:00")])

        // Unchanged: one call (the key comparison not due before the 10th run).
        let quiet = try await mirror(["--deletes-every", "10"])
        #expect(quiet.contains("changes since 2026-03-01T09:10:00: 0 inserted, 0 updated, 0 deleted, 1 call;"), "\(quiet)")

        // A change stamped now, then one stamped 5 minutes before the cursor it moved to (a
        // late commit): both read by the stamp, the second inside the 10-minute lookback.
        try await update(3, "Three")
        let changed = try await mirror(["--deletes-every", "10"])
        #expect(changed.contains("0 inserted, 1 updated, 0 deleted, 1 call;"), "\(changed)")
        #expect(try state() == [.text("Updated"), .text("2026-03-01T10:00:00")])
        clock.set("2026-03-01T09:55:00")
        try await update(4, "Four")
        let late = try await mirror(["--deletes-every", "10"])
        #expect(late.contains("changes since 2026-03-01T09:50:00: 0 inserted, 1 updated, 0 deleted, 1 call;"), "\(late)")
        let mirrored = try rows()
        #expect(mirrored[2] == [.integer(3), .text("Three"), .text("2026-03-01T10:00:00")])
        #expect(mirrored[3] == [.integer(4), .text("Four"), .text("2026-03-01T09:55:00")])

        // v4 reads by the table's id, kept from the last run (no listing of names to ids); an
        // id that no longer names the table (made again) costs its 404 (whose message lists
        // the tables), the schema listing (designs and names to ids in one) and the read.
        let db = try SQLiteConnection(path: database)
        let id = try db.run("SELECT source_id FROM _caspio_mirror").rows.first?.first
        #expect(version == 3 ? id == .null : id != .null, "\(String(describing: id))")
        try db.execute("UPDATE _caspio_mirror SET source_id = 'gone0000'")
        db.close()
        let relisted = try await mirror(["--deletes-every", "10"])
        #expect(relisted.contains("0 inserted, 0 updated, 0 deleted, \(version == 3 ? "1 call" : "4 calls");"), "\(relisted)")
        let again = try await mirror(["--deletes-every", "10"])
        #expect(again.contains("0 inserted, 0 updated, 0 deleted, 1 call;"), "\(again)")
    }
}
