import CaspioTestSupport
import Foundation
import Testing

/// The module under a misbehaving server and misbehaving tasks: only the statuses a call
/// expects are success, a failing task fails its map whatever it raised, and an upsert whose
/// insert may have landed looks before inserting again.
@Suite struct FaultsTests {
    static func run(_ source: String, _ fake: EmulatedCaspio, _ faulty: FaultyServer) async throws -> ProcessResult {
        try await runLua(source, against: fake, environment: ["CASPIO_BASE_URL": faulty.origin + "/integrations/rest/v3"])
    }

    @Test func aFailingTaskFailsTheMapWithItsPositionAndEveryTaskCloses() async throws {
        let fake = try await EmulatedCaspio.start()
        let result = try await runLua("""
            local closed = {}
            local function guard(x) return setmetatable({}, { __close = function() closed[#closed + 1] = x end }) end
            local ok, e = pcall(caspio.map, { 1, 2, 3 }, function(x)
              local g <close> = guard(x)
              if x == 1 then caspio.get("tables") end
              if x == 2 then error(nil) end
              return x
            end)
            table.sort(closed)
            print(ok, tostring(e), table.concat(closed, ","))
            print(pcall(caspio.parallel, { function() return 1 end, function() error(false) end }))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "false\titem 2: nil\t1,2\nfalse\titem 2: false\n", "\(result.stdout)")
    }

    /// A line with bytes that are not UTF-8 is reported as such, not as a wrong field count.
    @Test func anInvalidUTF8LineIsReportedAsSuch() async throws {
        let lua = try InProcessLua()
        let values = await lua.values(#"""
            local ok, e = pcall(function() for _ in caspio.csv.rows("A,B\n1,2\n3,\255x\n") do end end)
            return tostring(e)
            """#)
        #expect(values.first?.stringValue == "input error: the CSV text:3: not UTF-8 text", "\(values)")
    }

    /// A killed export leaves `.NAME.PID.tmp` behind; the next writer to NAME removes those of
    /// processes no longer running, and keeps a running one's.
    @Test func staleTemporaryFilesOfDeadWritersAreRemoved() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dead = try await runProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "echo $$"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let stale = directory.appendingPathComponent(".out.csv.\(dead).tmp").path
        let live = directory.appendingPathComponent(".out.csv.1.tmp").path
        for path in [stale, live] { try "half a file".write(toFile: path, atomically: false, encoding: .utf8) }
        let lua = try InProcessLua()
        let values = await lua.values(#"caspio.csv.write("\#(directory.path)/out.csv", { { A = 1 } }) return true"#)
        #expect(values.first == .boolean(true), "\(values)")
        #expect(!FileManager.default.fileExists(atPath: stale), "the dead writer's file is gone")
        #expect(FileManager.default.fileExists(atPath: live), "pid 1 is running: its file stays")
    }

    @Test func aRedirectIsAnErrorNamingItsLocation() async throws {
        let fake = try await EmulatedCaspio.start()
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            request.path.contains("/files") || request.path.hasSuffix("/tables")
                ? .redirect(status: 302, location: "https://elsewhere.example/login") : .forward
        }
        defer { faulty.shutdown() }
        let result = try await Self.run("""
            local ok, e = pcall(caspio.get, "tables")
            print(ok, e.status, tostring(e))
            print(pcall(caspio.request, "GET", "files/abc", { save_to = "out.bin" }))
            print(io.open("out.bin") == nil)
            """, fake, faulty)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.hasPrefix("false\t302\tHTTP 302: a redirect to 'https://elsewhere.example/login'") == true, "\(result.stdout)")
        #expect(lines.dropFirst().first?.contains("HTTP 302") == true)
        #expect(lines.last == "true", "no file for a redirected download")
    }

    @Test func noContentWhereAnAnswerIsNeededIsAnError() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1)
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            request.path.hasSuffix("/fields") ? .forward : .reply(TestHTTPServer.Reply(status: 204))
        }
        defer { faulty.shutdown() }
        let result = try await Self.run("""
            print(select(2, pcall(caspio.get, "tables")).status)
            print(select(2, pcall(caspio.request, "GET", "files/abc", { save_to = "out.bin" })).status, io.open("out.bin") == nil)
            print(select(2, pcall(caspio.table("T").insert, caspio.table("T"), { Name = "x" })).status)
            print(caspio.request("DELETE", "tables/T/records", { query = { ["q.where"] = "N=1" } }).status)
            """, fake, faulty)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "204\n204\ttrue\n204\n204\n", "\(result.stdout)")
    }

    /// A 503 after the row was written: the POST is not replayed, and upsert, which knows the
    /// key, finds the row there instead of inserting it twice.
    @Test func anUpsertWhoseInsertLandedDoesNotInsertItTwice() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 2)
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            request.method == "POST" ? .forwardThenFail(then: .status(503)) : .forward
        }
        defer { faulty.shutdown() }
        let result = try await Self.run("""
            local r = caspio.table("T"):upsert({ { Name = "new", N = 7 }, { Name = "row 1", N = 1 } }, { key = "Name" })
            print(r.inserted, r.updated, r.unchanged)
            """, fake, faulty)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "1\t0\t1\n", "\(result.stdout)")
        #expect(faulty.requests.filter { $0.method == "POST" }.count == 1)
        let rows = try fake.rows("T")
        #expect(rows.filter { $0["Name"] as? String == "new" }.count == 1, "\(rows)")
    }
}
