import CaspioTestSupport
import Foundation
import Testing

/// The usage ledger across processes: concurrent runs add up, a billing-period budget stops
/// the next run, kill -9 leaves the ledger readable; `caspio usage` reports it.
@Suite struct UsageTests {
    /// arg[1] reads, four at a time.
    static let reads = """
        local ids = {}
        for i = 1, tonumber(arg[1]) do ids[i] = i end
        caspio.map(ids, function() return caspio.get("tables") end, { concurrency = 4 })
        """

    static func usage(_ box: ScriptSandbox) async throws -> [String: Any] {
        let result = try await caspio(["usage", "--json"], environment: box.environment, directory: box.directory)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    static func periodCount(_ report: [String: Any]) -> Int? { (report["period"] as? [String: Any])?["requests"] as? Int }

    @Test func eightConcurrentRunsAddUpExactly() async throws {
        let fake = try await EmulatedCaspio.start()
        let box = try ScriptSandbox(Self.reads, fake: fake)
        let runs = try (0..<8).map { _ in try box.start([], ["25"]) }
        for run in runs {
            let result = try await run.finish()
            #expect(result.status == 0, "\(result.stderr)")
        }
        #expect(fake.resourceRequests.count == 200)
        let report = try await Self.usage(box)
        #expect(Self.periodCount(report) == 200)
        #expect((report["today"] as? [String: Any])?["requests"] as? Int == 200)
        let scripts = report["scripts"] as? [[String: Any]]
        #expect(scripts?.count == 1 && scripts?.first?["script"] as? String == "job.lua" && scripts?.first?["requests"] as? Int == 200)
        let text = try await caspio(["usage"], environment: box.environment, directory: box.directory)
        #expect(text.stdout.contains("today:    200 requests"), "\(text.stdout)")
        #expect(text.stdout.contains("     200  job.lua"), "\(text.stdout)")
    }

    /// One request at a time, so that none is counted and then cancelled unsent (a
    /// caspio.map stopped by the budget error abandons its requests in flight).
    @Test func aPeriodBudgetStopsTheSecondRunAndWarnsTheThird() async throws {
        let fake = try await EmulatedCaspio.start()
        var box = try ScriptSandbox("for i = 1, tonumber(arg[1]) do caspio.get('tables') end", fake: fake)
        box.environment["CASPIO_MAX_REQUESTS_PER_PERIOD"] = "30"
        let first = try await box.run([], ["20"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.isEmpty, "70% left: no warning: \(first.stderr)")
        let second = try await box.run([], ["20"])
        #expect(second.status == 4, "\(second.stderr)")
        #expect(second.stderr.contains("the billing-period budget of 30 requests (max_requests_per_period"), "\(second.stderr)")
        #expect(second.stderr.contains("the usage ledger counts 30 requests since "), "\(second.stderr)")
        #expect(fake.resourceRequests.count == 30)
        let third = try await box.run([], ["1"])
        #expect(third.status == 4)
        #expect(third.stderr.contains("the billing-period budget is nearly spent: 0 of 30 requests left"), "\(third.stderr)")
        #expect(await Self.periodCount(try Self.usage(box)) == 30)
        #expect(!(second.stderr + third.stderr).contains(fake.settings.clientSecret))
    }

    @Test func killNineDuringWritesLeavesTheLedgerReadable() async throws {
        let fake = try await EmulatedCaspio.start()
        let box = try ScriptSandbox("while true do caspio.get('tables') end", fake: fake)
        let ledgerFile = { () -> String? in
            let directory = box.path("cache")
            let name = (try? FileManager.default.contentsOfDirectory(atPath: directory))?.first { $0.hasSuffix(".usage") }
            return name.map { directory + "/" + $0 }
        }
        let run = try box.start([])
        #expect(await waitFor { fake.resourceRequests.count >= 50 })
        kill(run.pid, SIGKILL)
        _ = try? await run.finish()
        let path = try #require(ledgerFile())
        // What a writer killed in the middle of a line would leave.
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"d":"2026-"#.utf8))
        try handle.close()
        let counted = try await #require(Self.periodCount(try Self.usage(box)))
        let sent = fake.resourceRequests.count
        // Counted just before sending: the one request killed in between is counted, not sent.
        #expect(counted == sent || counted == sent + 1, "counted \(counted), sent \(sent)")
        var next = box
        next.environment["CASPIO_MAX_REQUESTS"] = "5"
        _ = try await next.run([])  // stops with a budget error after 5
        #expect(await Self.periodCount(try Self.usage(box)) == counted + 5)
    }

    /// `caspio usage` reads a local file: it needs no secret and runs no secret command.
    @Test func usageRunsNoSecretCommandAndNamesTheProfileBillingDay() async throws {
        let box = try ScriptSandbox("")
        let marker = box.path("secret-command-ran")
        let config = try write("""
            [profiles.prod]
            account = "c1abc123"
            client_id = "id"
            client_secret_command = "touch \(marker)"
            billing_day = 20
            max_requests_per_day = 100
            token_cache = "\(box.path("cache"))"
            """, to: box.directory.appendingPathComponent("config.toml"))
        var environment = box.environment
        environment["CASPIO_CONFIG"] = config.path
        let result = try await caspio(["usage", "--profile", "prod", "--json"], environment: environment, directory: box.directory)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: marker))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let period = report["period"] as? [String: Any]
        #expect((period?["start"] as? String)?.hasSuffix("-20") == true && period?["requests"] as? Int == 0)
        #expect((report["today"] as? [String: Any])?["budget"] as? Int == 100)
        #expect(!FileManager.default.fileExists(atPath: box.path("cache")), "looking creates nothing")
    }
}
