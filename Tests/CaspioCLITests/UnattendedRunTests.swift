import CaspioTestSupport
import Foundation
import Testing

/// Cron-safe runs: the lock (exit 75), --timeout (124), the budget (4), JSON logs, --quiet,
/// --summary, and the exit codes in --help.
@Suite struct UnattendedRunTests {
    /// Creates the file arg[1], then holds on until the file arg[2] exists.
    static let holder = """
        io.open(arg[1], "w"):close()
        while not io.open(arg[2]) do caspio.sleep(0.01) end
        print("done")
        """

    @Test func aSecondRunWhileOneHoldsTheLockExits75() async throws {
        let box = try ScriptSandbox(Self.holder)
        let first = try box.start(["--lock"], [box.path("started"), box.path("release")])
        #expect(await waitFor { FileManager.default.fileExists(atPath: box.path("started")) })

        let second = try await box.run(["--lock"], ["x", "y"])
        #expect(second.status == 75)
        #expect(second.stdout.isEmpty)
        #expect(second.stderr.hasPrefix("caspio: another run holds the lock "), "\(second.stderr)")
        #expect(second.stderr.split(separator: "\n").count == 1)

        let explicit = box.path("job.lock")
        let third = try box.start(["--lock", explicit], [box.path("started3"), box.path("release")])
        #expect(await waitFor { FileManager.default.fileExists(atPath: box.path("started3")) })
        let began = Date()
        let waited = try await box.run(["--lock=\(explicit)", "--lock-wait", "0.3"], ["x", "y"])
        #expect(waited.status == 75)
        #expect(Date().timeIntervalSince(began) >= 0.3)

        try write("", to: URL(fileURLWithPath: box.path("release")))
        #expect(try await first.finish().status == 0)
        #expect(try await third.finish().status == 0)
        let after = try await box.run(["--lock"], [box.path("s"), box.path("release")])
        #expect(after.status == 0, "\(after.stderr)")
    }

    @Test func theLockIsReleasedWhenTheHolderIsKilled() async throws {
        let box = try ScriptSandbox(Self.holder)
        var env = box.environment
        env["CASPIO_LOCK"] = "auto"
        let holder = try BackgroundRun(["run", box.script.path, box.path("started"), box.path("release")], environment: env, directory: box.directory)
        #expect(await waitFor { FileManager.default.fileExists(atPath: box.path("started")) })
        let blocked = try await caspio(["run", box.script.path, "a", "b"], environment: env, directory: box.directory)
        #expect(blocked.status == 75)
        kill(holder.pid, SIGKILL)
        _ = try await holder.finish()
        try write("", to: URL(fileURLWithPath: box.path("release")))
        let next = try await caspio(["run", box.script.path, box.path("s"), box.path("release")], environment: env, directory: box.directory)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout == "done\n")
    }

    @Test func timeoutStopsALoopAndASlowRequestWith124() async throws {
        let loop = try ScriptSandbox("""
            caspio.atexit(function() print("atexit ran") end)
            while true do end
            """)
        let looped = try await loop.run(["--timeout", "0.5"])
        #expect(looped.status == 124, "\(looped.stderr)")
        #expect(looped.stdout == "atexit ran\n")
        #expect(looped.stderr == "caspio: timeout: the run did not finish within 0.5 seconds (--timeout)\n")

        let fake = try await EmulatedCaspio.start()
        var slow = TestHTTPServer.Reply.json(200, ["Result": []])
        slow.delay = 60
        fake.script([slow])
        var request = try ScriptSandbox(#"print(pcall(caspio.get, "tables")); while true do end"#, fake: fake)
        request.environment["CASPIO_TIMEOUT"] = "1"
        let began = Date()
        let waited = try await request.run([])
        #expect(waited.status == 124, "\(waited.stderr)")
        #expect(waited.stdout.hasPrefix("false\t"), "a pcall sees the timeout, and the run still ends: \(waited.stdout)")
        #expect(Date().timeIntervalSince(began) < 20)
    }

    @Test func budgetExhaustedExits4WithJSONLogLinesAndNoToken() async throws {
        let fake = try await EmulatedCaspio.start()
        let box = try ScriptSandbox(#"caspio.get("tables"); caspio.get("tables")"#, fake: fake)
        let result = try await box.run(["--max-requests", "1", "--log-format", "json", "--log-level", "debug"])
        #expect(result.status == 4, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count >= 2)
        var sawRequest = false
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "\(line)")
            #expect(object["ts"] is String && object["level"] is String && object["message"] is String, "\(line)")
            if object["status"] != nil && object["method"] != nil && object["url"] != nil { sawRequest = true }
        }
        #expect(sawRequest, "\(result.stderr)")
        let last = try #require(lines.last)
        #expect(last.contains(#""level":"error""#) && last.contains("budget error"), "\(last)")
        let tokens = fake.sandbox.issuedTokens
        #expect(!tokens.isEmpty)
        for secret in tokens + [fake.settings.clientSecret] {
            #expect(!result.stderr.contains(secret) && !result.stdout.contains(secret))
        }
    }

    @Test func quietPrintsNothingOnSuccessAndEverythingOnFailure() async throws {
        let box = try ScriptSandbox("""
            print("progress")
            caspio.log.warn("a warning")
            if arg[1] == "fail" then error("boom") end
            """)
        let ok = try await box.run(["--quiet"])
        #expect(ok.status == 0)
        #expect(ok.stdout.isEmpty && ok.stderr.isEmpty, "\(ok)")
        var env = box.environment
        env["CASPIO_QUIET"] = "1"
        let failed = try await caspio(["run", box.script.path, "fail"], environment: env, directory: box.directory)
        #expect(failed.status == 1)
        #expect(failed.stdout == "progress\n")
        #expect(failed.stderr.hasPrefix("caspio: warning: a warning\ncaspio: "), "\(failed.stderr)")
        #expect(failed.stderr.contains("boom"))
    }

    @Test func summaryReportsTheRunAsTextOrJSON() async throws {
        let fake = try await EmulatedCaspio.start()
        let box = try ScriptSandbox(#"caspio.get("tables"); local s = caspio.stats(); print(s.requests, s.duration >= 0)"#, fake: fake)
        let text = try await box.run(["--summary"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout == "1\ttrue\n")
        #expect(text.stderr.contains("caspio: summary: exit 0 after "), "\(text.stderr)")
        #expect(text.stderr.contains("requests 1 (GET 1)"), "\(text.stderr)")
        #expect(text.stderr.contains("grants client_credentials 1"), "\(text.stderr)")

        let json = try await box.run(["--summary", "--log-format", "json"])
        let line = try #require(json.stderr.split(separator: "\n").last.map(String.init))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "summary")
        #expect(object["duration"] is Double)
        #expect((object["requests_by_method"] as? [String: Int])?["GET"] == 1)
        #expect(object["exit_code"] as? Int == 0)
        #expect(object["rows_read"] != nil && object["bytes_in"] != nil && object["retries"] != nil && object["grants"] != nil)
    }

    @Test func badTimeoutIsAUsageError() async throws {
        let box = try ScriptSandbox("print(1)")
        var env = box.environment
        env["CASPIO_TIMEOUT"] = "soon"
        let result = try await caspio(["run", box.script.path], environment: env, directory: box.directory)
        #expect(result.status == 2)
        #expect(result.stderr.contains("CASPIO_TIMEOUT='soon'"))
    }
}
