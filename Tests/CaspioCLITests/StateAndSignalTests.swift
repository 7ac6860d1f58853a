import CaspioTestSupport
import Foundation
import Testing

/// caspio.state (atomic, survives kill -9) and the graceful stop on SIGTERM.
@Suite struct StateAndSignalTests {
    @Test func stateKeepsJSONValuesBetweenRuns() async throws {
        let box = try ScriptSandbox("""
            local runs = caspio.state.get("runs") or 0
            print(runs, caspio.state.get("last") and caspio.state.get("last").ids[2])
            caspio.state.set("runs", runs + 1)
            caspio.state.set("last", { at = "2024-01-01T00:00:00Z", ids = { 1, 2, 3 } })
            print(pcall(caspio.state.set, "bad", print))
            """)
        let first = try await box.run([])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("0\tnil\nfalse\t"), "\(first.stdout)")
        let second = try await box.run([])
        #expect(second.stdout.hasPrefix("1\t2\n"), "\(second.stdout)")
        let files = try FileManager.default.contentsOfDirectory(atPath: box.path("state/caspio/state"))
        #expect(files.count == 1 && files[0].hasPrefix("job.lua-") && files[0].hasSuffix(".json"), "\(files)")
        let attributes = try FileManager.default.attributesOfItem(atPath: box.path("state/caspio/state/" + files[0]))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        let explicit = box.path("mine.json")
        let chosen = try await box.run(["--state", explicit])
        #expect(chosen.stdout.hasPrefix("0\tnil\n"))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: explicit))) as? [String: Any]
        #expect(object?["runs"] as? Int == 1)
    }

    @Test func stateSurvivesKill9MidWrite() async throws {
        // Large values make each write take a while, so the kill lands inside one.
        let box = try ScriptSandbox("""
            local pad = string.rep("x", 200000)
            for i = 1, 1e9 do caspio.state.set("n", { i = i, pad = pad }) end
            """)
        let statePath = box.path("state.json")
        for _ in 0..<3 {
            let run = try box.start(["--state", statePath])
            #expect(await waitFor { FileManager.default.fileExists(atPath: statePath) })
            kill(run.pid, SIGKILL)
            _ = try await run.finish()
            let data = try Data(contentsOf: URL(fileURLWithPath: statePath))
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let value = try #require(object["n"] as? [String: Any])
            #expect((value["i"] as? Int ?? 0) >= 1)
            #expect((value["pad"] as? String)?.count == 200000)
        }
        let reader = try ScriptSandbox(#"print(caspio.state.get("n").i > 0)"#)
        let read = try await reader.run(["--state", statePath])
        #expect(read.stdout == "true\n", "\(read.stderr)")
    }

    @Test func sigtermCancelsTheRequestThenRunsCleanupAndExits143() async throws {
        let fake = try await EmulatedCaspio.start()
        var slow = TestHTTPServer.Reply.json(200, ["Result": []])
        slow.delay = 30
        fake.script([slow])
        let box = try ScriptSandbox("""
            caspio.atexit(function()
              local s = caspio.stats()
              print("atexit", s.requests, s.bytes_in > 0)
              caspio.state.set("stopped", true)
            end)
            local guard <close> = setmetatable({}, { __close = function() print("closed") end })
            caspio.get("tables")
            print("not reached")
            """, fake: fake)
        let run = try box.start([])
        #expect(await waitFor { !fake.resourceRequests.isEmpty })
        let sent = Date()
        kill(run.pid, SIGTERM)
        let result = try await run.finish()
        #expect(Date().timeIntervalSince(sent) < 2, "the request was cancelled, not waited for")
        #expect(result.status == 143, "\(result.stderr)")
        #expect(result.stdout == "closed\natexit\t1\ttrue\n", "\(result.stdout)")
        #expect(result.stderr == "caspio: terminated (SIGTERM)\n")
        let state = try ScriptSandbox(#"print(caspio.state.get("stopped"))"#)
        let files = try FileManager.default.contentsOfDirectory(atPath: box.path("state/caspio/state"))
        let stored = try await state.run(["--state", box.path("state/caspio/state/" + files[0])])
        #expect(stored.stdout == "true\n")
    }
}

/// examples/nightly-export.lua: incremental with caspio.state.
@Suite struct NightlyExportTests {
    @Test func exportsOnlyWhatChangedSinceTheLastRun() async throws {
        let fake = try await EmulatedCaspio.demo()
        let source = try String(
            contentsOf: ExamplesTests.examplesDirectory.appendingPathComponent("nightly-export.lua"), encoding: .utf8)
        let box = try ScriptSandbox(source, fake: fake)
        let first = try await box.run(["--lock", "--quiet"], [box.path("1.csv")])
        #expect(first.status == 0 && first.stdout.isEmpty && first.stderr.isEmpty, "\(first)")
        let rows = try String(contentsOfFile: box.path("1.csv"), encoding: .utf8).split(separator: "\n")
        let customers = try fake.rows("Customers").count
        #expect(rows.count == customers + 1)
        #expect(rows.first?.contains("Email") == true)

        let second = try await box.run([], [box.path("2.csv")])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: box.path("2.csv")))

        let added = try await caspio(
            ["request", "POST", "tables/Customers/records", "--json", #"{"Name":"New, \"quoted\"","State":"CA"}"#],
            environment: box.environment)
        #expect(added.status == 0, "\(added.stderr)")
        let third = try await box.run([], [box.path("3.csv")])
        #expect(third.stdout.hasPrefix("1 rows -> "), "\(third)")
        let text = try String(contentsOfFile: box.path("3.csv"), encoding: .utf8)
        #expect(text.contains(#""New, ""quoted""""#), "\(text)")
    }
}
