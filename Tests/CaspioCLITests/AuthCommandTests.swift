import CaspioTestSupport
import Foundation
import Testing

/// The emulated Caspio on loopback (behind HTTPS with `tls`) and a sandbox HOME (config, cache) for one test. Every run gets
/// a clean environment: the test runner's own CASPIO_* and XDG_* variables never leak in.
final class AuthSandbox: @unchecked Sendable {
    let fake: EmulatedCaspio
    /// What caspio is pointed at: the emulator, or its HTTPS front.
    let endpoint: any CaspioEndpoint
    let certificates: TestCertificates?
    let root: URL
    var cacheDirectory: String { root.path + "/cache/tokens" }
    var configPath: String { root.path + "/config/caspio/config.toml" }
    /// Secrets the test uses besides the emulator's own (e.g. a wrong one): none may ever be printed.
    var extraSecrets: [String] = []

    init(tls: Bool = false) async throws {
        let certificates = tls ? try await TestCertificates.make() : nil
        let emulator = try await EmulatedCaspio.start()
        self.certificates = certificates
        fake = emulator
        endpoint = try certificates.map { try emulator.https($0) } ?? emulator
        root = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root.path + "/home", withIntermediateDirectories: true)
    }

    /// fake.environment plus the sandbox's HOME and XDG directories and short timeouts.
    func environment(caFile: String? = nil, cache: Bool = true) -> [String: String] {
        var environment = endpoint.environment(cacheDirectory: cache ? cacheDirectory : nil, caFile: caFile)
        environment["HOME"] = root.path + "/home"
        environment["XDG_CONFIG_HOME"] = root.path + "/config"
        environment["XDG_CACHE_HOME"] = root.path + "/xdg-cache"
        environment["CASPIO_CONNECT_TIMEOUT"] = "2"
        environment["CASPIO_READ_TIMEOUT"] = "10"
        return environment
    }

    /// The runner's environment without anything that configures caspio, plus `environment`.
    static func processEnvironment(_ environment: [String: String]) -> [String: String] {
        var result = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("CASPIO_") && !$0.key.hasPrefix("XDG_") && !$0.key.hasPrefix("LUA_")
        }
        result.merge(environment) { $1 }
        return result
    }

    func start(_ arguments: [String], environment: [String: String]? = nil, trace: Bool = true) throws -> SpawnedProcess {
        try SpawnedProcess(
            caspioBinary, ["auth"] + arguments + (trace ? ["--log-level", "trace"] : []),
            environment: Self.processEnvironment(environment ?? self.environment()), replacingEnvironment: true, seconds: 60)
    }

    /// Runs `caspio auth ARGUMENTS --log-level trace` and checks that nothing secret came out
    /// (the access token may be on stdout when `tokenOnStdout`).
    func run(
        _ arguments: [String], environment: [String: String]? = nil, tokenOnStdout: Bool = false,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> ProcessResult {
        let result = try await start(arguments, environment: environment).finish()
        expectNoSecrets(in: result, tokenOnStdout: tokenOnStdout, sourceLocation: sourceLocation)
        return result
    }

    /// Everything that must never be printed: the client secret (also as HTTP Basic
    /// credentials), the other secrets of the test, and every token the emulator issued.
    var secrets: [String] {
        let settings = fake.settings
        let tokens = fake.sandbox.issuedTokens
        return [settings.clientSecret, Data("\(settings.clientID):\(settings.clientSecret)".utf8).base64EncodedString()]
            + extraSecrets + tokens
    }

    /// Every token issued (access and refresh).
    var issuedTokens: Set<String> { Set(fake.sandbox.issuedTokens) }

    func expectNoSecrets(in result: ProcessResult, tokenOnStdout: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) {
        let stdout = tokenOnStdout ? "" : result.stdout
        for (name, output) in [("stdout", stdout), ("stderr", result.stderr)] {
            for secret in secrets {
                for form in Self.forms(of: secret) {
                    let leak = output.range(of: form)
                    #expect(leak == nil, "\(name) shows (part of) a secret: \(Self.excerpt(output, around: leak))", sourceLocation: sourceLocation)
                }
            }
            // The fake's tokens look like access-3-1A2B3C4D and refresh-3-1A2B3C4D.
            let token = output.range(of: #"(access|refresh)-[0-9]+-[0-9A-F]{4}"#, options: .regularExpression)
            #expect(token == nil, "\(name) shows a token: \(Self.excerpt(output, around: token))", sourceLocation: sourceLocation)
        }
    }

    static func excerpt(_ text: String, around range: Range<String.Index>?) -> String {
        guard let range else { return "" }
        let start = text.index(range.lowerBound, offsetBy: -80, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(range.upperBound, offsetBy: 80, limitedBy: text.endIndex) ?? text.endIndex
        return "…" + text[start..<end] + "…"
    }

    /// A secret as text, and every 8 bytes of it as hex (as byte dumps show parts of bodies).
    static func forms(of secret: String) -> [String] {
        let bytes = Array(secret.utf8)
        var forms = [secret]
        for start in stride(from: 0, through: bytes.count - 8, by: 1) where bytes.count >= 8 {
            let hex = bytes[start..<start + 8].map { String(format: "%02x", $0) }.joined()
            forms += [hex, hex.uppercased()]
        }
        return forms
    }

    /// The `name:   value` lines of `caspio auth`.
    static func fields(_ stdout: String) -> [String: String] {
        var fields: [String: String] = [:]
        for line in stdout.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[String(line[..<colon])] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return fields
    }

    func mode(_ path: String) throws -> Int {
        try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }
}

/// `caspio auth` as a process against the emulated Caspio: output, cache, refresh, logout, the bare
/// token, TLS, exit codes, concurrent processes, and that nothing secret is ever printed.
/// One test at a time: on 2 cores, bursts of processes would starve the in-process fake
/// servers of other suites, whose timing tests then fail.
@Suite(.serialized) struct AuthCommandTests {
    @Test func authShowsWhereTheTokenCameFromThenUsesTheCache() async throws {
        let sandbox = try await AuthSandbox()
        let before = Date()
        let first = try await sandbox.run([])
        let after = Date()
        #expect(first.status == 0, "\(first.stderr)")
        let fields = AuthSandbox.fields(first.stdout)
        #expect(fields["profile"] == "(none: environment)")
        #expect(fields["base URL"] == sandbox.endpoint.baseURL)
        #expect(fields["token endpoint"] == sandbox.endpoint.tokenURL)
        #expect(fields["client id"] == sandbox.fake.settings.clientID)
        #expect(fields["source"] == "network (client_credentials grant)")
        let cacheFile = try #require(fields["cache file"])
        #expect(cacheFile.hasPrefix(sandbox.cacheDirectory + "/"))
        #expect(cacheFile.hasSuffix(".json"))
        #expect(FileManager.default.fileExists(atPath: cacheFile))
        // "2026-11-30T02:47:00Z (in 23h 59m 58s)": a day ahead, as the emulator's expires_in says.
        let expires = try #require(fields["expires"])
        let stamp = try #require(expires.split(separator: " ").first.map(String.init))
        let expiry = try #require(ISO8601DateFormatter().date(from: stamp), "\(expires)")
        // Granted during the run (the stamp has whole seconds).
        #expect(expiry >= before.addingTimeInterval(86399 - 1) && expiry <= after.addingTimeInterval(86399), "\(expires)")
        #expect(expires.contains("(in 23h 59m"))
        #expect(sandbox.fake.grantCount == 1)
        // The trace log did show the work (so the secret checks above looked at real output).
        #expect(first.stderr.contains("caspio: info: POST "), "\(first.stderr)")
        #expect(first.stderr.contains("/oauth/token"))

        let second = try await sandbox.run([])
        #expect(second.status == 0, "\(second.stderr)")
        let again = AuthSandbox.fields(second.stdout)
        #expect(again["source"] == "cache")
        #expect(again["cache file"] == cacheFile)
        #expect(again["expires"]?.hasPrefix(stamp) == true)
        #expect(sandbox.fake.grantCount == 1)
        #expect(sandbox.fake.tokenRequests.count == 1)
    }

    @Test func theCacheFileIsOwnerOnlyInAnOwnerOnlyDirectory() async throws {
        let sandbox = try await AuthSandbox()
        // The default location: $XDG_CACHE_HOME/caspio/tokens.
        var environment = sandbox.environment()
        environment["CASPIO_TOKEN_CACHE"] = nil
        let result = try await sandbox.run([], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let cacheFile = try #require(AuthSandbox.fields(result.stdout)["cache file"])
        let directory = sandbox.root.path + "/xdg-cache/caspio/tokens"
        #expect(cacheFile.hasPrefix(directory + "/"))
        #expect(try sandbox.mode(cacheFile) == 0o600)
        #expect(try sandbox.mode(directory) == 0o700)
        let contents = try String(contentsOfFile: cacheFile, encoding: .utf8)
        #expect(!contents.contains(sandbox.fake.settings.clientSecret))
        // A cache directory made by someone else with wider permissions is tightened.
        let wide = sandbox.root.path + "/wide"
        try FileManager.default.createDirectory(atPath: wide, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wide)
        environment["CASPIO_TOKEN_CACHE"] = wide
        let tightened = try await sandbox.run([], environment: environment)
        #expect(tightened.status == 0, "\(tightened.stderr)")
        #expect(try sandbox.mode(wide) == 0o700)
        let file = try #require(AuthSandbox.fields(tightened.stdout)["cache file"])
        #expect(try sandbox.mode(file) == 0o600)
    }

    @Test func refreshMakesARefreshTokenGrantAndCachesItsToken() async throws {
        let sandbox = try await AuthSandbox()
        #expect(try await sandbox.run([]).status == 0)
        let refreshed = try await sandbox.run(["--refresh"])
        #expect(refreshed.status == 0, "\(refreshed.stderr)")
        #expect(AuthSandbox.fields(refreshed.stdout)["source"] == "network (refresh_token grant)")
        #expect(sandbox.fake.grants == ["client_credentials": 1, "refresh_token": 1])
        let grant = try #require(sandbox.fake.tokenRequests.last)
        #expect(grant.form["grant_type"] == "refresh_token")
        // The renewed token is the one cached and handed out next.
        let printed = try await sandbox.run(["--print-token"], tokenOnStdout: true)
        // (The emulator renews without a new refresh token: the last token issued is the renewal's.)
        let newest = try #require(sandbox.fake.sandbox.issuedTokens.last)
        #expect(printed.stdout == newest + "\n")
        #expect(sandbox.fake.grantCount == 2)
    }

    @Test func refreshWithAnEmptyCacheFallsBackToClientCredentials() async throws {
        let sandbox = try await AuthSandbox()
        let result = try await sandbox.run(["--refresh"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(AuthSandbox.fields(result.stdout)["source"] == "network (client_credentials grant)")
        #expect(sandbox.fake.grants == ["client_credentials": 1])
    }

    @Test func logoutDeletesTheCachedTokens() async throws {
        let sandbox = try await AuthSandbox()
        let signedIn = try await sandbox.run([])
        let cacheFile = try #require(AuthSandbox.fields(signedIn.stdout)["cache file"])
        #expect(FileManager.default.fileExists(atPath: cacheFile))

        let logout = try await sandbox.run(["--logout"])
        #expect(logout.status == 0, "\(logout.stderr)")
        #expect(logout.stdout == "Logged out: removed \(cacheFile)\n")
        #expect(!FileManager.default.fileExists(atPath: cacheFile))
        #expect(sandbox.fake.grantCount == 1)

        let again = try await sandbox.run(["--logout"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "No cached token at \(cacheFile)\n")

        let fresh = try await sandbox.run([])
        #expect(AuthSandbox.fields(fresh.stdout)["source"] == "network (client_credentials grant)")
        #expect(sandbox.fake.grantCount == 2)
    }

    @Test func printTokenPrintsOnlyTheBareAccessToken() async throws {
        let sandbox = try await AuthSandbox()
        for expectedGrants in [1, 1] {  // from the network, then from the cache
            let result = try await sandbox.run(["--print-token"], tokenOnStdout: true)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count == 2 && lines[1].isEmpty, "\(result.stdout)")
            #expect(sandbox.issuedTokens.contains(String(lines[0])))
            #expect(sandbox.fake.grantCount == expectedGrants)
        }
        // Also with the cache off.
        let uncached = try await sandbox.run(["--print-token"], environment: sandbox.environment(cache: false), tokenOnStdout: true)
        #expect(uncached.status == 0, "\(uncached.stderr)")
        #expect(sandbox.issuedTokens.contains(String(uncached.stdout.dropLast())))
        #expect(uncached.stdout.hasSuffix("\n") && uncached.stdout.filter { $0 == "\n" }.count == 1)
        #expect(sandbox.fake.grantCount == 2)
    }

    @Test func jsonLogsAreOneObjectPerLineWithoutSecrets() async throws {
        let sandbox = try await AuthSandbox()
        for arguments in [["--log-format", "json"], ["--log-format", "json"], ["--refresh", "--log-format", "json"]] {
            let result = try await sandbox.run(arguments)
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stderr.split(separator: "\n")
            #expect(!lines.isEmpty)
            for line in lines {
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                #expect(object != nil, "not a JSON object: \(line)")
                #expect(object?["level"] is String && object?["message"] is String && object?["ts"] is String)
            }
        }
        #expect(sandbox.fake.grants == ["client_credentials": 1, "refresh_token": 1])
    }

    @Test func profilesOfTheConfigFileWithASecretFileOrCommand() async throws {
        let sandbox = try await AuthSandbox()
        let secretFile = sandbox.root.path + "/secret"
        try (sandbox.fake.settings.clientSecret + "\n").write(toFile: secretFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: secretFile)
        try FileManager.default.createDirectory(atPath: sandbox.root.path + "/config/caspio", withIntermediateDirectories: true)
        try """
            [profiles.fake]
            base_url = "\(sandbox.endpoint.baseURL)"
            client_id = "\(sandbox.fake.settings.clientID)"
            client_secret_file = "\(secretFile)"
            token_cache = "\(sandbox.cacheDirectory)"

            [profiles.command]
            base_url = "\(sandbox.endpoint.baseURL)"
            client_id = "\(sandbox.fake.settings.clientID)"
            client_secret_command = "cat '\(secretFile)'"
            token_cache = "off"
            """.write(toFile: sandbox.configPath, atomically: true, encoding: .utf8)
        let environment = sandbox.environment().filter { !$0.key.hasPrefix("CASPIO_") || $0.key == "CASPIO_CONNECT_TIMEOUT" }
        let result = try await sandbox.run(["--profile", "fake"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let fields = AuthSandbox.fields(result.stdout)
        #expect(fields["profile"] == "fake")
        #expect(fields["token endpoint"] == sandbox.endpoint.tokenURL)
        #expect(fields["cache file"]?.hasPrefix(sandbox.cacheDirectory + "/") == true)
        #expect(sandbox.fake.grantCount == 1)

        // The same profile through CASPIO_PROFILE, from the cache; then a readable secret file is refused.
        let cached = try await sandbox.run([], environment: environment.merging(["CASPIO_PROFILE": "fake"]) { $1 })
        #expect(AuthSandbox.fields(cached.stdout)["source"] == "cache")
        // The secret from a command, without a cache.
        let command = try await sandbox.run(["--profile", "command"], environment: environment)
        #expect(command.status == 0, "\(command.stderr)")
        #expect(AuthSandbox.fields(command.stdout)["profile"] == "command")
        #expect(AuthSandbox.fields(command.stdout)["cache file"] == "off")
        #expect(sandbox.fake.grantCount == 2)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: secretFile)
        let refused = try await sandbox.run(["--profile", "fake"], environment: environment)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("chmod 600 \(secretFile)"))
    }

    // MARK: TLS

    @Test func httpsWorksWithTheTestCAAndFailsWithoutIt() async throws {
        let sandbox = try await AuthSandbox(tls: true)
        let caFile = try #require(sandbox.certificates?.caFile)
        let trusted = try await sandbox.run([], environment: sandbox.environment(caFile: caFile))
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(AuthSandbox.fields(trusted.stdout)["token endpoint"]?.hasPrefix("https://127.0.0.1:") == true)
        #expect(sandbox.fake.grantCount == 1)

        // AsyncHTTPClient retries a failed handshake until the connect timeout: keep it short.
        var untrustedEnvironment = sandbox.environment(cache: false)
        untrustedEnvironment["CASPIO_CONNECT_TIMEOUT"] = "0.5"
        let untrusted = try await sandbox.run([], environment: untrustedEnvironment)
        #expect(untrusted.status != 0)
        #expect(untrusted.stdout.isEmpty)
        #expect(untrusted.stderr.contains("TLS"), "\(untrusted.stderr)")
        #expect(untrusted.stderr.contains("CASPIO_CA_FILE"))
        #expect(sandbox.fake.grantCount == 1)
    }

    // MARK: Exit codes

    @Test func aWrongSecretIsAnAuthenticationFailureWithExit3() async throws {
        let sandbox = try await AuthSandbox()
        let wrong = "wrong-secret-Hh5Jx"
        sandbox.extraSecrets = [wrong, Data("\(sandbox.fake.settings.clientID):\(wrong)".utf8).base64EncodedString()]
        for style in ["body", "basic"] {
            var environment = sandbox.environment()
            environment["CASPIO_CLIENT_SECRET"] = wrong
            environment["CASPIO_AUTH_STYLE"] = style
            for arguments in [[], ["--print-token"], ["--refresh"]] {
                let result = try await sandbox.run(arguments, environment: environment)
                #expect(result.status == 3, "\(style) \(arguments): \(result.stderr)")
                #expect(result.stdout.isEmpty)
                #expect(result.stderr.contains("check the client id and secret"), "\(result.stderr)")
                #expect(result.stderr.contains("invalid_client"))
            }
        }
        #expect(sandbox.fake.grantCount == 0)
        // Nothing was cached (a lock file may have been made).
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: sandbox.cacheDirectory)) ?? []
        #expect(cached.allSatisfy { $0.hasSuffix(".lock") }, "\(cached)")
    }

    @Test func configurationAndUsageErrorsExitWith2() async throws {
        let sandbox = try await AuthSandbox()
        var noEndpoint = sandbox.environment()
        noEndpoint["CASPIO_BASE_URL"] = nil
        noEndpoint["CASPIO_TOKEN_URL"] = nil
        let cases: [([String], [String: String], String)] = [
            ([], noEndpoint, "missing the account (CASPIO_ACCOUNT or CASPIO_BASE_URL)"),
            ([], sandbox.environment().merging(["CASPIO_BASE_URL": "http://example.com/rest/v2", "CASPIO_TOKEN_URL": ""]) { $1 }, "plain http"),
            (["--base-url", "http://example.com/rest/v2"], sandbox.environment(), "--base-url on the command line"),
            ([], sandbox.environment().merging(["CASPIO_TOKEN_URL": "http://example.com/oauth/token"]) { $1 }, "CASPIO_TOKEN_URL"),
            ([], sandbox.environment().merging(["CASPIO_CLIENT_ID": ""]) { $1 }, "CASPIO_CLIENT_ID"),
            ([], sandbox.environment().merging(["CASPIO_CLIENT_SECRET": ""]) { $1 }, "CASPIO_CLIENT_SECRET"),
            (["--profile", "nope"], sandbox.environment(), "profile 'nope'"),
            (["--ca-file", sandbox.root.path + "/missing.pem"], sandbox.environment(), "cannot read the CA file"),
            ([], sandbox.environment().merging(["CASPIO_CONNECT_TIMEOUT": "soon"]) { $1 }, "CASPIO_CONNECT_TIMEOUT"),
            (["--log-format", "xml"], sandbox.environment(), "log format 'xml'"),
            (["--no-such-flag"], sandbox.environment(), "Unknown option"),
            (["--max-requests", "many"], sandbox.environment(), "--max-requests"),
        ]
        for (arguments, environment, message) in cases {
            let result = try await sandbox.run(arguments, environment: environment)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
        #expect(sandbox.fake.requests.isEmpty)
    }

    // MARK: Processes together

    @Test func eightProcessesOnAnEmptyCacheMakeExactlyOneGrant() async throws {
        let sandbox = try await AuthSandbox()
        // Hold the grant open long enough that all eight are waiting when it is answered.
        sandbox.fake.delayTokens(0.3)
        let environment = sandbox.environment()
        let processes = try (0..<8).map { _ in try sandbox.start(["--print-token"], environment: environment) }
        var results: [ProcessResult] = []
        for process in processes { results.append(try await process.finish()) }
        for result in results {
            #expect(result.status == 0, "\(result.stderr)")
            sandbox.expectNoSecrets(in: result, tokenOnStdout: true)
        }
        #expect(sandbox.fake.grantCount == 1)
        #expect(sandbox.fake.tokenRequests.count == 1)
        let tokens = Set(results.map(\.stdout))
        #expect(tokens.count == 1)
        #expect(sandbox.issuedTokens.contains(String(tokens.first?.dropLast() ?? "")))
        #expect(results.allSatisfy { $0.stdout.filter { $0 == "\n" }.count == 1 })
    }
}
