import CaspioTestSupport
import Foundation
import Testing

/// v4's `GET me` in `caspio auth` and `caspio doctor` (the API profile and its rate limit), and
/// `--rate auto`: the pace at the account's published limit, learned once before the first
/// request; on v3, which publishes none, Caspio's published limit.
@Suite struct V4AccountFactsTests {
    /// `caspio COMMAND --sandbox ARGS` in a fresh directory, no CASPIO_* of the caller.
    static func inSandbox(_ command: [String], api: String) async throws -> ProcessResult {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var environment = ["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml", "CASPIO_SANDBOX_API": api]
        for variable in ["CASPIO_BASE_URL", "CASPIO_TOKEN_URL", "CASPIO_CLIENT_ID", "CASPIO_CLIENT_SECRET", "CASPIO_ACCOUNT", "CASPIO_PROFILE", "CASPIO_RATE"] {
            environment[variable] = ""
        }
        return try await caspio(command, environment: environment, directory: directory)
    }

    @Test func authShowsTheAPIProfileAndItsLimitOnV4Only() async throws {
        let v4 = try await Self.inSandbox(["auth", "--sandbox"], api: "4")
        #expect(v4.status == 0, "\(v4.stderr)")
        #expect(v4.stdout.contains("API profile:    sandbox (account sandbox)\n"), "\(v4.stdout)")
        #expect(v4.stdout.contains("rate limit:     2000 requests per 300 s (6.67 a second)\n"), "\(v4.stdout)")
        let v3 = try await Self.inSandbox(["auth", "--sandbox"], api: "3")
        #expect(v3.status == 0, "\(v3.stderr)")
        #expect(!v3.stdout.contains("API profile"))
        #expect(v3.stdout.hasSuffix("grant)\n") && !v3.stdout.hasSuffix("\n\n"), "\(v3.stdout)")
    }

    @Test func doctorShowsTheAPIProfileOnV4AndTheAutoPaceOnBoth() async throws {
        let v4 = try await Self.inSandbox(["doctor", "--sandbox", "--rate", "auto"], api: "4")
        #expect(v4.status == 0, "\(v4.stdout)\(v4.stderr)")
        #expect(v4.stdout.contains("OK    API profile     GET me: API profile 'sandbox' on account sandbox, rate limit 2000 requests per 300 s (6.67 a second)\n"), "\(v4.stdout)")
        #expect(v4.stdout.contains("OK    rate            auto: paced at 2000 requests per 300 s (6.67 a second)\n"), "\(v4.stdout)")
        let v3 = try await Self.inSandbox(["doctor", "--sandbox", "--rate", "auto"], api: "3")
        #expect(v3.status == 0, "\(v3.stdout)\(v3.stderr)")
        #expect(!v3.stdout.contains("API profile"))
        #expect(v3.stdout.contains("OK    rate            auto: paced at Caspio's published limit, 2000 requests per 300 s (6.67 a second) (REST API v3 publishes no account's own; v4's GET me does)"), "\(v3.stdout)")
    }

    /// The pace and the API profile doctor shows come from one `GET me`.
    @Test func doctorWithRateAutoAsksForTheAccountOnce() async throws {
        let v4 = try await Self.inSandbox(["doctor", "--sandbox", "--rate", "auto", "-v"], api: "4")
        #expect(v4.status == 0, "\(v4.stdout)\(v4.stderr)")
        #expect(v4.stdout.contains("OK    API profile     GET me: API profile 'sandbox'"), "\(v4.stdout)")
        let lines = v4.stderr.split(separator: "\n").filter { $0.contains("/integrations/rest/v4/") }
        #expect(lines.filter { $0.contains("/v4/me ") }.count == 1, "\(lines)")
    }

    @Test func rateAutoPacesAtTheAccountsLimitLearnedOnceBeforeTheFirstRequest() async throws {
        let script = """
            print(caspio.config.rate)
            caspio.table("Customers"):count()
            caspio.map({1, 2, 3}, function() return caspio.table("Customers"):count() end, {concurrency = 3})
            print(caspio.stats().requests)
            """
        let v4 = try await runLuaInSandbox(script, flags: ["--rate", "auto", "-v"], environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(v4.status == 0, "\(v4.stderr)")
        // me, the listing of tables, four counts.
        #expect(v4.stdout == "auto\n6\n", "\(v4.stdout)")
        #expect(v4.stderr.contains("--rate auto: 2000 requests per 300 s (6.67 a second), the account's, from GET me"), "\(v4.stderr)")
        let lines = v4.stderr.split(separator: "\n").filter { $0.contains("/integrations/rest/v4/") }
        #expect(lines.filter { $0.contains("/v4/me ") }.count == 1, "\(lines)")
        #expect(lines.first?.contains("/v4/me ") == true, "\(lines)")

        let v3 = try await runLuaInSandbox(script, flags: ["--rate", "auto", "-v"])
        #expect(v3.status == 0, "\(v3.stderr)")
        #expect(v3.stdout == "auto\n4\n", "\(v3.stdout)")
        #expect(v3.stderr.contains("--rate auto: 2000 requests per 300 s (6.67 a second), Caspio's published limit; REST API v3 publishes no account's own"))
        #expect(!v3.stderr.contains("/me"))
    }

    @Test func rateAutoIsASettingOfEveryLayer() async throws {
        let environment = try await runLuaInSandbox("print(caspio.config.rate)", environment: ["CASPIO_RATE": "auto"])
        #expect(environment.stdout == "auto\n", "\(environment.stderr)")
        let wrong = try await runLuaInSandbox("print(caspio.config.rate)", environment: ["CASPIO_RATE": "automatic"])
        #expect(wrong.status == 2 && wrong.stderr.contains("CASPIO_RATE='automatic' is not a number"), "\(wrong.stderr)")
        let flag = try await runLuaInSandbox("print(1)", flags: ["--rate", "fast"])
        #expect(flag.stderr.contains("The value 'fast' is invalid for '--rate <rate>'"), "\(flag.stderr)")
    }
}
