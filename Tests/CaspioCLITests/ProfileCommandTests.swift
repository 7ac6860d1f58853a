import CaspioTestSupport
import Foundation
import Testing

/// An AuthSandbox whose account comes from its config file alone: no CASPIO_* variable names
/// the fake (they would beat the profile), only the token cache and short timeouts are set.
final class ProfileSandbox: @unchecked Sendable {
    let auth: AuthSandbox
    var fake: EmulatedCaspio { auth.fake }
    var endpoint: any CaspioEndpoint { auth.endpoint }
    var configPath: String { auth.configPath }
    var configDirectory: String { (configPath as NSString).deletingLastPathComponent }

    init(tls: Bool = false) async throws { auth = try await AuthSandbox(tls: tls) }

    var environment: [String: String] {
        var environment = auth.environment()
        for name in ["CASPIO_BASE_URL", "CASPIO_TOKEN_URL", "CASPIO_CLIENT_ID", "CASPIO_CLIENT_SECRET", "CASPIO_CONFIG"] {
            environment[name] = nil
        }
        return environment
    }

    /// The flags that name the emulator's account.
    var accountFlags: [String] {
        ["--base-url", endpoint.baseURL, "--token-url", endpoint.tokenURL, "--client-id", fake.settings.clientID]
    }

    /// Runs `caspio ARGUMENTS` and checks that nothing secret came out.
    func run(_ arguments: [String], stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> ProcessResult {
        let process = try SpawnedProcess(
            caspioBinary, arguments, input: stdin.map { .text($0) } ?? .none,
            environment: AuthSandbox.processEnvironment(environment), replacingEnvironment: true, seconds: 60)
        let result = try await process.finish()
        auth.expectNoSecrets(in: result, sourceLocation: sourceLocation)
        return result
    }

    var config: String { (try? String(contentsOfFile: configPath, encoding: .utf8)) ?? "" }

    func writeConfig(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: configDirectory, withIntermediateDirectories: true)
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    func mode(_ path: String) throws -> Int { try auth.mode(path) }
}

@Suite(.serialized) struct ProfileCommandTests {
    @Test func addChecksWithOneGrantStoresTheSecretPrivatelyAndRunsReuseTheToken() async throws {
        let sandbox = try await ProfileSandbox()
        let added = try await sandbox.run(["profile", "add", "prod"] + sandbox.accountFlags, stdin: sandbox.fake.settings.clientSecret + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains("Added profile 'prod'") && added.stdout.contains("(the default profile)"), "\(added.stdout)")
        #expect(sandbox.fake.grants == ["client_credentials": 1])

        let secretFile = sandbox.configDirectory + "/prod.secret"
        #expect(try String(contentsOfFile: secretFile, encoding: .utf8) == sandbox.fake.settings.clientSecret + "\n")
        #expect(try sandbox.mode(secretFile) == 0o600)
        #expect(try sandbox.mode(sandbox.configPath) == 0o600)
        #expect(try sandbox.mode(sandbox.configDirectory) == 0o700)
        let config = sandbox.config
        #expect(config.contains("default_profile = \"prod\""))
        #expect(config.contains("[profiles.prod]") && config.contains("client_secret_file = \"\(secretFile)\""))
        #expect(!config.contains(sandbox.fake.settings.clientSecret), "the secret is not in the TOML")

        // A run of the default profile uses the token the check cached: no second grant.
        let request = try await sandbox.run(["request", "GET", "tables"])
        #expect(request.status == 0, "\(request.stderr)")
        #expect(sandbox.fake.grantCount == 1)
        #expect(sandbox.fake.resourceRequests.count == 1)
    }

    @Test func refusedCredentialsSaveNothing() async throws {
        let sandbox = try await ProfileSandbox()
        sandbox.auth.extraSecrets = ["wrong-secret-Kq2x"]
        let result = try await sandbox.run(["profile", "add", "prod"] + sandbox.accountFlags, stdin: "wrong-secret-Kq2x\n")
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("nothing was saved") && result.stderr.contains("invalid_client"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.configPath))
        #expect(!FileManager.default.fileExists(atPath: sandbox.configDirectory + "/prod.secret"))
    }

    @Test func editsKeepCommentsAndOtherProfiles() async throws {
        let sandbox = try await ProfileSandbox()
        let original = """
            # my accounts
            default_profile = "old"   # the one cron uses

            # the first one
            [profiles.old]
            account = "c1old"    # kept
            client_id = "o"
            client_secret_env = "OLD_SECRET"

            # a trailing note

            """
        try sandbox.writeConfig(original)
        let added = try await sandbox.run(["profile", "add", "new", "--account", "c1new", "--client-id", "n", "--secret-env", "NEW", "--no-check", "--default"])
        #expect(added.status == 0, "\(added.stderr)")
        let config = sandbox.config
        #expect(config.hasPrefix("# my accounts\ndefault_profile = \"new\"  # the one cron uses\n"), "\(config)")
        for line in ["# the first one", "account = \"c1old\"    # kept", "client_secret_env = \"OLD_SECRET\"", "# a trailing note"] {
            #expect(config.contains(line), "\(line) kept: \(config)")
        }
        #expect(config.contains("[profiles.new]\naccount = \"c1new\"\nclient_id = \"n\"\nclient_secret_env = \"NEW\"\n"))

        let list = try await sandbox.run(["profile", "list"])
        #expect(list.stdout == "* new  c1new\n  old  c1old\n", "\(list.stdout)")

        #expect(try await sandbox.run(["profile", "default", "old"]).status == 0)
        #expect(try await sandbox.run(["profile", "remove", "new"]).status == 0)
        #expect(sandbox.config == original.replacingOccurrences(of: "\"old\"   #", with: "\"old\"  #"), "\(sandbox.config)")
    }

    @Test func showNeverPrintsTheSecretAndInlineSecretsKeepTheFilePrivate() async throws {
        let sandbox = try await ProfileSandbox()
        let added = try await sandbox.run(["profile", "add", "prod", "--inline-secret"] + sandbox.accountFlags, stdin: sandbox.fake.settings.clientSecret + "\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(sandbox.config.contains("client_secret = "), "stored inline as asked")
        #expect(try sandbox.mode(sandbox.configPath) == 0o600)
        let show = try await sandbox.run(["profile", "show", "prod"])
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("client_secret:") && show.stdout.contains("hidden"), "\(show.stdout)")
        #expect(show.stdout.contains("profile:") && show.stdout.contains("prod (default)"))
        // --profile before `profile` reaches `show`.
        let viaGlobal = try await sandbox.run(["--profile", "prod", "profile", "show"])
        #expect(viaGlobal.stdout == show.stdout, "\(viaGlobal.stderr)")
    }

    /// `--account ID --api 4`: the profile speaks REST API v4 (`api_version = 4` beside the account).
    @Test func addWithAPI4WritesTheVersionBesideTheAccount() async throws {
        let sandbox = try await ProfileSandbox()
        let added = try await sandbox.run(["profile", "add", "four", "--account", "c1abc123", "--api", "4", "--client-id", "b", "--secret-env", "S", "--no-check"])
        #expect(added.status == 0, "\(added.stderr)")
        #expect(sandbox.config.contains("[profiles.four]\naccount = \"c1abc123\"\napi_version = 4\nclient_id = \"b\"\n"), "\(sandbox.config)")
        let three = try await sandbox.run(["profile", "add", "three", "--account", "c1abc123", "--api", "3", "--client-id", "b", "--secret-env", "S", "--no-check"])
        #expect(three.status == 0, "\(three.stderr)")
        #expect(!sandbox.config.contains("[profiles.three]\naccount = \"c1abc123\"\napi_version"), "v3 is the default: \(sandbox.config)")
    }

    @Test func misuseIsLoudAndChangesNothing() async throws {
        let sandbox = try await ProfileSandbox()
        let cases: [([String], String)] = [
            (["profile", "add", "x", "--account", "a", "--client-id", "b", "--bogus"], "--bogus"),
            (["profile", "add", "x", "--account", "a", "--base-url", "https://x.example/r", "--client-id", "b"], "not both"),
            (["profile", "add", "x", "--secret-env", "A", "--secret-file", "/f", "--account", "a", "--client-id", "b"], "only one of"),
            (["profile", "add", "bad name", "--account", "a", "--client-id", "b"], "letters, digits"),
            (["profile", "add", "x", "--client-id", "b", "--secret-env", "S"], "--account"),
            (["profile", "add", "x", "--account", "a", "--client-id", "b"], "no client secret"),
            (["--profile", "p", "profile", "list"], "--profile"),
            (["profile", "remove", "nope"], "no profile 'nope'"),
            (["profile", "default", "nope"], "no profile 'nope'"),
            (["profile", "add", "x", "--account", "a", "--api", "5", "--client-id", "b", "--secret-env", "S"], "--api 5 is not a REST API version: give 3 or 4"),
            (["profile", "add", "x", "--base-url", "https://x.example/integrations/rest/v3", "--api", "4", "--client-id", "b", "--secret-env", "S"],
             "names REST API v3, not v4"),
        ]
        for (arguments, message) in cases {
            let result = try await sandbox.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments) says \(message): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.configPath))

        // A profile written as an inline table is left for the user to edit.
        let inline = "[profiles]\nold = { account = \"a\", client_id = \"b\", client_secret_env = \"E\" }\n"
        try sandbox.writeConfig(inline)
        let removed = try await sandbox.run(["profile", "remove", "old"])
        #expect(removed.status == 2 && removed.stderr.contains("edit it by hand"), "\(removed.stderr)")
        let again = try await sandbox.run(["profile", "add", "old", "--account", "a", "--client-id", "b", "--secret-env", "E", "--no-check"])
        #expect(again.status == 2 && again.stderr.contains("already a profile 'old'"), "\(again.stderr)")
        #expect(sandbox.config == inline)
    }

    @Test func promptsOnATerminalWithoutEchoingTheSecret() async throws {
        let sandbox = try await ProfileSandbox()
        var environment = sandbox.environment
        environment["TERM"] = "xterm"
        let session = try await TmuxSession(
            [caspioBinary.path, "profile", "add", "prod", "--token-url", sandbox.endpoint.tokenURL], environment: environment,
            directory: sandbox.auth.root)
        var (ok, screen) = try await session.waitFor("account id")
        #expect(ok, "asks for the account: \(screen)")
        try await session.line(sandbox.endpoint.baseURL)
        (ok, screen) = try await session.waitFor("Client id")
        #expect(ok, "asks for the client id: \(screen)")
        try await session.line(sandbox.fake.settings.clientID)
        (ok, screen) = try await session.waitFor("Client secret (not shown)")
        #expect(ok, "asks for the secret: \(screen)")
        try await session.line(sandbox.fake.settings.clientSecret)
        (ok, screen) = try await session.waitFor("[exit ")
        #expect(ok && screen.contains("[exit 0]") && screen.contains("Added profile 'prod'"), "\(screen)")
        #expect(!screen.contains(sandbox.fake.settings.clientSecret), "the secret was not echoed: \(screen)")
        #expect(sandbox.fake.grantCount == 1)
        #expect(try String(contentsOfFile: sandbox.configDirectory + "/prod.secret", encoding: .utf8) == sandbox.fake.settings.clientSecret + "\n")
    }
}
