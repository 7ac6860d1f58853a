import CaspioSandbox
import CaspioTestSupport
import Foundation
import SQLiteLayer
import Testing

/// A table without a cursor, read through v4 from a Caspio that refuses T-SQL's checksum
/// functions (the sandbox in this process, its `checksumFunctions` off; shuffled pages on):
/// every run reads the table in full, says why, and still copies each change.
@Suite(.serialized) struct MirrorChecksumTests {
    static let seed = """
        {"Tables": [{"Name": "Notes", "Fields": [{"Name": "Text", "Type": "STRING"}, {"Name": "Size", "Type": "INTEGER"}],
          "Rows": [\((1...12).map { #"{"Text": "Note \#($0)", "Size": \#($0)}"# }.joined(separator: ","))]}]}
        """

    @Test func refusedChecksumReadsInFull() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = SandboxSettings.caspioLike
        settings.seedPath = try write(Self.seed, to: directory.appendingPathComponent("seed.json")).path
        settings.rateLimit = nil
        settings.checksumFunctions = false
        let sandbox = try await RunningSandbox.start(settings)
        do { try check(sandbox, directory) } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    func check(_ sandbox: RunningSandbox, _ directory: URL) throws {
        var env = Dictionary(uniqueKeysWithValues: sandbox.environment)
        env.merge(["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml", "CASPIO_TOKEN_CACHE": "off", "XDG_RUNTIME_DIR": directory.path]) { $1 }
        var reads = env
        reads["CASPIO_BASE_URL"] = sandbox.origin + "/integrations/rest/v4"
        let database = directory.appendingPathComponent("mirror.db").path
        func mirror() throws -> ProcessResult {
            let result = try caspio(["mirror", "sqlite:" + database, "--tables", "Notes"], environment: reads, directory: directory)
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            return result
        }
        func line(_ result: ProcessResult) -> String {
            result.stdout.split(separator: "\n").first { $0.hasPrefix("Notes: ") && $0.contains("inserted") }.map(String.init) ?? result.stdout
        }
        let first = try mirror()
        #expect(line(first).hasPrefix("Notes: copied: 12 inserted"), "\(first.stdout)")
        #expect(first.stdout.contains("Notes: Caspio refused the checksum"), "\(first.stdout)")
        let unchanged = try mirror()
        #expect(line(unchanged).contains("read in full (no cursor): 0 inserted, 0 updated, 0 deleted"), "\(unchanged.stdout)")
        #expect(unchanged.stdout.contains("Notes: Caspio refused the checksum"), "\(unchanged.stdout)")
        let update = try caspio(["-e", #"caspio.table("Notes"):update("PK_ID = 2", {Size = 200})"#], environment: env, directory: directory)
        #expect(update.status == 0, "\(update.stderr)")
        let changed = try mirror()
        #expect(line(changed).contains("read in full (no cursor): 0 inserted, 1 updated, 0 deleted"), "\(changed.stdout)")
        let db = try SQLiteConnection(path: database)
        defer { db.close() }
        #expect(try db.run(#"SELECT "Size" FROM "Notes" WHERE "PK_ID" = 2"#).rows == [[.integer(200)]])
    }
}
