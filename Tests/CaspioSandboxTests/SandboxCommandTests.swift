import AsyncHTTPClient
import CaspioTestSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

/// `caspio sandbox` and `caspio run --sandbox` as processes of the built binary.
@Suite struct SandboxCommandTests {
    @Test func printsTheEnvironmentServesAndStopsOnSIGTERM() async throws {
        let (process, exports) = try await SpawnedProcess.sandbox(["--token-ttl", "5s"])
        #expect(Set(exports.keys) == ["CASPIO_BASE_URL", "CASPIO_TOKEN_URL", "CASPIO_CLIENT_ID", "CASPIO_CLIENT_SECRET"])
        #expect(exports["CASPIO_BASE_URL"]?.hasPrefix("http://127.0.0.1:") == true)
        // A script run against it, through the ordinary environment variables.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var env = exports
        env["CASPIO_TOKEN_CACHE"] = "off"
        env["CASPIO_CONFIG"] = directory.path + "/none.toml"
        env["HOME"] = directory.path
        let result = try await caspio(["-e", "print(caspio.table('Orders'):count())", "-e", "print(caspio.auth().expires_in)"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "500\n5\n")
        process.signal(SIGTERM)
        let stopped = try await process.finish()
        #expect(stopped.status == 0)
        #expect(stopped.stderr.contains("caspio: sandbox stopped"))
    }

    /// The client renews revoked tokens on its own, and the stats say what that cost.
    @Test func revokedTokensAreRenewedByTheClient() async throws {
        let (process, exports) = try await SpawnedProcess.sandbox(["--revoke-every", "4", "--token-ttl", "1h"])
        // Not waited for (no await in a defer): its own thread reaps it, and letting go of it
        // kills whatever is left.
        defer { process.signal(SIGTERM) }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var env = exports
        env["CASPIO_TOKEN_CACHE"] = "off"
        env["CASPIO_CONFIG"] = directory.path + "/none.toml"
        env["HOME"] = directory.path
        let script = "local n = 0; for _ in caspio.records('Customers', { orderBy = 'PK_ID', pageSize = 5 }) do n = n + 1 end; print(n)"
        let result = try await caspio(["-e", script], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "250\n")
        let origin = exports["CASPIO_TOKEN_URL"]!.replacingOccurrences(of: "/oauth/token", with: "")
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: origin + "/_sandbox/stats"), timeout: .seconds(10))
        let stats = try JSONSerialization.jsonObject(with: Data(buffer: try await response.body.collect(upTo: 1 << 20))) as? [String: Any] ?? [:]
        let grants = stats["grants"] as? [String: Int] ?? [:]
        let revocations = stats["revocations"] as? Int ?? 0
        #expect(grants["client_credentials"] == 1, "one sign-in, then renewals: \(stats)")
        #expect(revocations >= 10 && grants["refresh_token"] == revocations, "\(stats)")
    }

    /// A signal at once after the first output is never lost (the handlers are armed before
    /// anything is printed or started), whichever thread the kernel delivers it to.
    @Test(arguments: [SIGINT, SIGTERM])
    func stopsOnASignalSentAtOnce(signal: Int32) async throws {
        for attempt in 1...15 {
            let (process, exports) = try await SpawnedProcess.sandbox(["--port", "0"], seconds: 20)
            #expect(exports["CASPIO_CLIENT_ID"] == "sandbox-client")
            process.signal(signal)
            let result = try await process.finish()
            #expect(result.status == 0, "attempt \(attempt): \(result.stderr)")
            #expect(result.stderr.contains("sandbox stopped"), "attempt \(attempt): \(result.stderr)")
        }
    }

    @Test func badOptionsAreUsageErrors() async throws {
        for arguments in [["--fail-rate", "2"], ["--token-ttl", "soon"], ["--port", "70000"]] {
            let result = try await caspio(["sandbox"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
        }
        let seed = try await caspio(["sandbox", "--seed", "/nonexistent/seed.json"])
        #expect(seed.status == 2 && seed.stderr.contains("seed"))
    }

    @Test func runWithSandboxIgnoresTheCallersAccount() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = [
            "HOME": directory.path, "CASPIO_BASE_URL": "https://nowhere.invalid/rest/v2", "CASPIO_CLIENT_ID": "x",
            "CASPIO_CLIENT_SECRET": "y", "CASPIO_TOKEN_CACHE": directory.path + "/cache",
        ]
        let script = "local t = caspio.get('tables').Result; print(#t, caspio.config.base_url:match('^http://127%.0%.0%.1:%d+/integrations/rest/v3$') ~= nil)"
        let result = try await caspio(["run", "--sandbox", "-e", script], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "5\ttrue\n")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/cache"), "no token cache for a throw-away server")
    }
}
