import AsyncHTTPClient
import CaspioTestSupport
import Foundation
import NIOCore
import NIOFoundationCompat
import Testing

/// `caspio sandbox` and `caspio run --sandbox` as processes of the built binary.
@Suite struct SandboxCommandTests {
    /// Starts `caspio sandbox ARGS`, reads the exports it prints (blocking on the pipe, so no
    /// guessing how long start-up takes), and returns them with the process.
    static func launch(_ arguments: [String]) throws -> (Process, [String: String], Pipe) {
        let process = Process()
        process.executableURL = caspioBinary
        process.arguments = ["sandbox"] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        var text = ""
        let handle = out.fileHandleForReading
        while !text.contains("\n#") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        var exports: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst(7).split(separator: "=", maxSplits: 1)
            exports[String(pair[0])] = String(pair[1])
        }
        return (process, exports, err)
    }

    @Test func printsTheEnvironmentServesAndStopsOnSIGTERM() throws {
        let (process, exports, err) = try Self.launch(["--token-ttl", "5s"])
        #expect(Set(exports.keys) == ["CASPIO_BASE_URL", "CASPIO_TOKEN_URL", "CASPIO_CLIENT_ID", "CASPIO_CLIENT_SECRET"])
        #expect(exports["CASPIO_BASE_URL"]?.hasPrefix("http://127.0.0.1:") == true)
        // A script run against it, through the ordinary environment variables.
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var env = exports
        env["CASPIO_TOKEN_CACHE"] = "off"
        env["CASPIO_CONFIG"] = directory.path + "/none.toml"
        env["HOME"] = directory.path
        let result = try caspio(["-e", "print(caspio.table('Orders'):count())", "-e", "print(caspio.auth().expires_in)"], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "500\n5\n")
        process.terminate()  // SIGTERM
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("caspio: sandbox stopped"))
    }

    /// The client renews revoked tokens on its own, and the stats say what that cost.
    @Test func revokedTokensAreRenewedByTheClient() async throws {
        let (process, exports, _) = try Self.launch(["--revoke-every", "4", "--token-ttl", "1h"])
        defer { process.terminate(); process.waitUntilExit() }
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var env = exports
        env["CASPIO_TOKEN_CACHE"] = "off"
        env["CASPIO_CONFIG"] = directory.path + "/none.toml"
        env["HOME"] = directory.path
        let script = "local n = 0; for _ in caspio.records('Customers', { orderBy = 'PK_ID', pageSize = 5 }) do n = n + 1 end; print(n)"
        let result = try caspio(["-e", script], environment: env)
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

    @Test func stopsOnSIGINT() throws {
        let (process, exports, _) = try Self.launch(["--port", "0"])
        #expect(exports["CASPIO_CLIENT_ID"] == "sandbox-client")
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func badOptionsAreUsageErrors() throws {
        for arguments in [["--fail-rate", "2"], ["--token-ttl", "soon"], ["--port", "70000"]] {
            let result = try caspio(["sandbox"] + arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
        }
        let seed = try caspio(["sandbox", "--seed", "/nonexistent/seed.json"])
        #expect(seed.status == 2 && seed.stderr.contains("seed"))
    }

    @Test func runWithSandboxIgnoresTheCallersAccount() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let env = [
            "HOME": directory.path, "CASPIO_BASE_URL": "https://nowhere.invalid/rest/v2", "CASPIO_CLIENT_ID": "x",
            "CASPIO_CLIENT_SECRET": "y", "CASPIO_TOKEN_CACHE": directory.path + "/cache",
        ]
        let script = "local t = caspio.get('tables').Result; print(#t, caspio.config.base_url:match('^http://127%.0%.0%.1:%d+/integrations/rest/v3$') ~= nil)"
        let result = try caspio(["run", "--sandbox", "-e", script], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "3\ttrue\n")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/cache"), "no token cache for a throw-away server")
    }
}
