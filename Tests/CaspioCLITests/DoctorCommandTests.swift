import CaspioTestSupport
import Foundation
import Testing

/// `caspio doctor` against the emulated Caspio: every line OK for a good setup, and for each kind of
/// problem a FAIL line that says what to do, with exit status 1.
@Suite(.serialized) struct DoctorCommandTests {
    /// The `STATUS  topic  detail` lines, by topic.
    static func lines(_ stdout: String) -> [String: (ok: Bool, detail: String)] {
        var lines: [String: (Bool, String)] = [:]
        for line in stdout.split(separator: "\n") {
            let status = line.prefix(4)
            let rest = line.dropFirst(6)
            let topic = rest.prefix(15).trimmingCharacters(in: .whitespaces)
            lines[topic] = (status == "OK  ", String(rest.dropFirst(16)))
        }
        return lines
    }

    /// A profile `prod` (the default) for the fake, its secret in a file of `mode`.
    func writeProfile(_ sandbox: ProfileSandbox, secretMode: Int = 0o600, baseURL: String? = nil, extra: String = "") throws {
        let secretFile = sandbox.auth.root.path + "/prod.secret"
        try sandbox.fake.settings.clientSecret.write(toFile: secretFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: secretMode], ofItemAtPath: secretFile)
        try sandbox.writeConfig("""
            default_profile = "prod"
            [profiles.prod]
            base_url = "\(baseURL ?? sandbox.endpoint.baseURL)"
            client_id = "\(sandbox.fake.settings.clientID)"
            client_secret_file = "\(secretFile)"
            \(extra)
            """)
    }

    @Test func aGoodSetupIsOKOnEveryLineAndUsesTheCachedToken() async throws {
        let sandbox = try await ProfileSandbox()
        let added = try await sandbox.run(["profile", "add", "prod"] + sandbox.accountFlags, stdin: sandbox.fake.settings.clientSecret + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        let result = try await sandbox.run(["doctor"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = Self.lines(result.stdout)
        for topic in ["config", "account", "secret", "token cache", "DNS", "token endpoint", "clock", "sign-in", "API"] {
            #expect(lines[topic]?.ok == true, "\(topic) OK: \(result.stdout)")
        }
        #expect(lines["secret"]?.detail.contains("readable by you only") == true)
        #expect(lines["sign-in"]?.detail.contains("from the cache") == true, "\(result.stdout)")
        #expect(sandbox.fake.grantCount == 1, "doctor reused the token of profile add")
        // --profile before or after `doctor`.
        let named = try await sandbox.run(["--profile", "prod", "doctor"])
        #expect(named.status == 0 && named.stdout.contains("profile prod:"), "\(named.stdout)\(named.stderr)")
    }

    @Test func eachProblemIsAFailLineThatSaysWhatToDo() async throws {
        let sandbox = try await ProfileSandbox()
        let none = try await sandbox.run(["doctor"])
        #expect(none.status == 1)
        #expect(Self.lines(none.stdout)["account"]?.detail.contains("caspio profile add") == true, "\(none.stdout)")

        try writeProfile(sandbox, secretMode: 0o644)
        let open = try await sandbox.run(["doctor"])
        #expect(open.status == 1)
        #expect(Self.lines(open.stdout)["secret"]?.detail.contains("chmod 600") == true, "\(open.stdout)")

        try writeProfile(sandbox)
        try FileManager.default.createDirectory(atPath: sandbox.auth.cacheDirectory, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sandbox.auth.cacheDirectory)
        let cache = try await sandbox.run(["doctor"])
        #expect(cache.status == 1)
        #expect(Self.lines(cache.stdout)["token cache"]?.detail.contains("chmod 700") == true, "\(cache.stdout)")
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: sandbox.auth.cacheDirectory)

        // The account's clock an hour ahead of this machine's.
        let skewed = try sandbox.fake.fronted { _ in .forwardSkewingDate(seconds: 3600) }
        try writeProfile(sandbox, baseURL: skewed.baseURL)
        let clock = try await sandbox.run(["doctor"])
        #expect(clock.status == 1)
        // The Date header counts whole seconds: 3599 to 3601 s.
        let skew = Self.lines(clock.stdout)["clock"]?.detail.split(separator: " ").dropFirst(4).first.flatMap { Int($0) }
        #expect(skew.map { abs($0 - 3600) <= 1 } == true && clock.stdout.contains("s behind the server's"), "\(clock.stdout)")
        try writeProfile(sandbox)

        sandbox.fake.script([.json(500, ["Code": "InternalError", "Message": "Something broke"])])
        let api = try await sandbox.run(["doctor"])
        #expect(api.status == 1)
        #expect(Self.lines(api.stdout)["API"]?.detail.contains("HTTP 500 InternalError") == true, "\(api.stdout)")

        try writeProfile(sandbox, baseURL: "https://caspio-doctor-test.invalid/integrations/rest/v3")
        let dns = try await sandbox.run(["doctor"])
        #expect(dns.status == 1)
        #expect(Self.lines(dns.stdout)["DNS"]?.detail.contains("cannot resolve caspio-doctor-test.invalid") == true, "\(dns.stdout)")
    }

    /// `--sandbox` checks a sandbox started for the purpose (it was once accepted and ignored),
    /// whatever account the environment names.
    @Test func withSandboxEveryCheckRunsAgainstTheSandbox() async throws {
        let home = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = ["HOME": home.path, "CASPIO_ACCOUNT": "c0ffee", "CASPIO_CLIENT_ID": "", "CASPIO_STORE": "postgres://nobody@127.0.0.1:9/none"]
        let result = try await caspio(["doctor", "--sandbox"], environment: environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        let lines = Self.lines(result.stdout)
        #expect(!lines.isEmpty && !result.stdout.contains("FAIL"), "\(result.stdout)")
        #expect(lines["account"]?.detail.contains("http://127.0.0.1:") == true, "\(result.stdout)")
        #expect(lines["store"]?.detail.hasPrefix("not used with --sandbox") == true, "\(result.stdout)")
        #expect(lines["API"]?.detail == "GET tables: HTTP 200", "\(result.stdout)")
    }

    @Test func tlsIsCheckedWithTheTrustedCertificates() async throws {
        let sandbox = try await ProfileSandbox(tls: true)
        try writeProfile(sandbox)
        let untrusted = try await sandbox.run(["doctor"])
        #expect(untrusted.status == 1)
        let endpoint = Self.lines(untrusted.stdout)["token endpoint"]
        #expect(endpoint?.ok == false && endpoint?.detail.contains("TLS") == true && endpoint?.detail.contains("ca_file") == true, "\(untrusted.stdout)")

        let caFile = try #require(sandbox.auth.certificates?.caFile)
        try writeProfile(sandbox, extra: "ca_file = \"\(caFile)\"")
        let trusted = try await sandbox.run(["doctor"])
        #expect(trusted.status == 0, "\(trusted.stdout)\(trusted.stderr)")
        #expect(Self.lines(trusted.stdout)["token endpoint"]?.detail.contains("TLS verified") == true, "\(trusted.stdout)")
    }
}
