import Foundation
import Testing

@testable import CaspioClient

/// A throwaway HOME with XDG_CONFIG_HOME and XDG_CACHE_HOME in it, and a resolver over an
/// environment made only of what the test gives (never the test runner's own variables).
struct ConfigSandbox {
    let root: String
    var environment: [String: String]

    init() throws {
        root = temporaryPath("config")
        try FileManager.default.createDirectory(atPath: root + "/home", withIntermediateDirectories: true)
        environment = [
            "HOME": root + "/home", "XDG_CONFIG_HOME": root + "/config", "XDG_CACHE_HOME": root + "/cache",
        ]
    }

    var configPath: String { root + "/config/caspio/config.toml" }

    func writeConfig(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/config/caspio", withIntermediateDirectories: true)
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// A file in the sandbox with the given mode.
    @discardableResult
    func writeFile(_ name: String, _ text: String, mode: Int = 0o600) throws -> String {
        let path = root + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        return path
    }

    func resolve(_ extra: [String: String] = [:], overrides: ConfigurationOverrides = .init()) throws(CaspioError)
        -> ClientConfiguration
    {
        try ConfigurationResolver(environment: environment.merging(extra) { $1 }, overrides: overrides).resolve()
    }

    /// The configuration error that resolving gives; records an issue if it succeeds or fails otherwise.
    func error(
        _ extra: [String: String] = [:], overrides: ConfigurationOverrides = .init(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> CaspioError? {
        do {
            let configuration = try resolve(extra, overrides: overrides)
            Issue.record("expected a configuration error, got \(configuration.baseURL)", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.kind == .config, "\(error)", sourceLocation: sourceLocation)
            return error
        }
    }
}

/// A complete environment-only configuration, to which tests add or remove.
let minimalEnvironment = [
    "CASPIO_ACCOUNT": "c1abc123", "CASPIO_CLIENT_ID": "env-id", "CASPIO_CLIENT_SECRET": "env-secret-Kq93mZ",
]

/// Flags, environment, the config file and defaults, resolved by `ConfigurationResolver`.
@Suite struct ConfigurationTests {
    // MARK: Endpoints

    @Test func anAccountImpliesBothURLsAndDefaultsFillTheRest() throws {
        let sandbox = try ConfigSandbox()
        let configuration = try sandbox.resolve(minimalEnvironment)
        #expect(configuration.baseURL.absoluteString == "https://c1abc123.caspio.com/integrations/rest/v3")
        #expect(configuration.tokenURL.absoluteString == "https://c1abc123.caspio.com/oauth/token")
        #expect(configuration.profile == nil)
        #expect(configuration.clientID == "env-id")
        #expect(configuration.clientSecret.reveal() == "env-secret-Kq93mZ")
        #expect(configuration.authStyle == .body)
        #expect(configuration.caFile == nil)
        #expect(configuration.tokenCacheDirectory == sandbox.root + "/cache/caspio/tokens")
        #expect(configuration.connectTimeout == 10)
        #expect(configuration.readTimeout == 60)
        #expect(configuration.maxRequests == nil)
    }

    @Test(arguments: [
        ("https://c1abc123.caspio.com/integrations/rest/v3", "https://c1abc123.caspio.com/oauth/token"),
        ("https://c1abc123.caspio.com/rest/v2", "https://c1abc123.caspio.com/oauth/token"),
        ("https://c1abc123.caspio.com/rest/v2/", "https://c1abc123.caspio.com/oauth/token"),
        ("https://api.example.org:8443/caspio/rest/v3", "https://api.example.org:8443/oauth/token"),
        ("https://data.example.com/integrations/rest/v3?x=1#f", "https://data.example.com/oauth/token"),
        ("http://127.0.0.1:8080/integrations/rest/v3", "http://127.0.0.1:8080/oauth/token"),
        ("http://localhost:9/rest/v2", "http://localhost:9/oauth/token"),
        ("http://[::1]:8080/rest/v2", "http://[::1]:8080/oauth/token"),
    ])
    func aBaseURLImpliesTheTokenURLOnItsHost(base: String, token: String) throws {
        let sandbox = try ConfigSandbox()
        var environment = minimalEnvironment
        environment["CASPIO_ACCOUNT"] = nil
        environment["CASPIO_BASE_URL"] = base
        let configuration = try sandbox.resolve(environment)
        #expect(configuration.baseURL.absoluteString == base)
        #expect(configuration.tokenURL.absoluteString == token)
    }

    @Test func anExplicitTokenURLWins() throws {
        let sandbox = try ConfigSandbox()
        let custom = "https://auth.example.org/custom/oauth/token"
        // With an account, from the environment.
        let fromEnvironment = try sandbox.resolve(minimalEnvironment.merging(["CASPIO_TOKEN_URL": custom]) { $1 })
        #expect(fromEnvironment.baseURL.absoluteString == "https://c1abc123.caspio.com/integrations/rest/v3")
        #expect(fromEnvironment.tokenURL.absoluteString == custom)
        // With a base URL, from a flag, over the environment's.
        var overrides = ConfigurationOverrides()
        overrides.tokenURL = "https://flag.example.org/oauth/token"
        let fromFlag = try sandbox.resolve(
            ["CASPIO_BASE_URL": "https://data.example.com/rest/v2", "CASPIO_TOKEN_URL": custom, "CASPIO_CLIENT_ID": "i",
             "CASPIO_CLIENT_SECRET": "s"],
            overrides: overrides)
        #expect(fromFlag.tokenURL.absoluteString == "https://flag.example.org/oauth/token")
        // From a profile, beside its base URL.
        try sandbox.writeConfig("""
            [profiles.custom]
            base_url = "https://data.example.com/rest/v2"
            token_url = "https://login.example.com/oauth/token"
            client_id = "i"
            client_secret = "s"
            """)
        let fromProfile = try sandbox.resolve(["CASPIO_PROFILE": "custom"])
        #expect(fromProfile.baseURL.absoluteString == "https://data.example.com/rest/v2")
        #expect(fromProfile.tokenURL.absoluteString == "https://login.example.com/oauth/token")
    }

    @Test func theEndpointComesAsAUnitFromTheHighestLayerThatNamesOne() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("""
            default_profile = "custom"
            [profiles.custom]
            base_url = "https://data.example.com/rest/v2"
            token_url = "https://login.example.com/oauth/token"
            client_id = "profile-id"
            client_secret = "profile-secret"
            """)
        // An account in the environment replaces the profile's endpoint, token URL included:
        // the profile's token endpoint belongs to the profile's host, not to c1other's.
        let configuration = try sandbox.resolve(["CASPIO_ACCOUNT": "c1other"])
        #expect(configuration.baseURL.absoluteString == "https://c1other.caspio.com/integrations/rest/v3")
        #expect(configuration.tokenURL.absoluteString == "https://c1other.caspio.com/oauth/token")
        #expect(configuration.clientID == "profile-id")
        // A base URL flag over an account in the environment.
        var overrides = ConfigurationOverrides()
        overrides.baseURL = "https://flag.example.com/rest/v2"
        let flagged = try sandbox.resolve(["CASPIO_ACCOUNT": "c1other"], overrides: overrides)
        #expect(flagged.baseURL.absoluteString == "https://flag.example.com/rest/v2")
        #expect(flagged.tokenURL.absoluteString == "https://flag.example.com/oauth/token")
        // A token URL given above the endpoint's layer still wins.
        let explicit = try sandbox.resolve(
            ["CASPIO_ACCOUNT": "c1other", "CASPIO_TOKEN_URL": "https://sso.example.com/oauth/token"])
        #expect(explicit.tokenURL.absoluteString == "https://sso.example.com/oauth/token")
    }

    // MARK: Precedence

    /// One setting given in every layer: the flag wins, then the environment, then the
    /// profile, then the default.
    struct Layered: Sendable, CustomTestStringConvertible {
        var name: String
        var flag: @Sendable (inout ConfigurationOverrides) -> Void
        var variable: (String, String)
        var profileLine: String
        var value: @Sendable (ClientConfiguration) -> String
        var expected: (flag: String, environment: String, profile: String, fallback: String)
        var testDescription: String { name }
    }

    static let layered: [Layered] = [
        Layered(
            name: "base URL", flag: { $0.baseURL = "https://flag.example.com/rest/v2" },
            variable: ("CASPIO_BASE_URL", "https://env.example.com/rest/v2"),
            profileLine: #"base_url = "https://profile.example.com/rest/v2""#, value: { $0.baseURL.absoluteString },
            expected: (
                "https://flag.example.com/rest/v2", "https://env.example.com/rest/v2",
                "https://profile.example.com/rest/v2", "https://c1default.caspio.com/integrations/rest/v3"
            )),
        Layered(
            name: "account", flag: { $0.account = "c1flag" }, variable: ("CASPIO_ACCOUNT", "c1env"),
            profileLine: #"account = "c1profile""#, value: { $0.tokenURL.absoluteString },
            expected: (
                "https://c1flag.caspio.com/oauth/token", "https://c1env.caspio.com/oauth/token",
                "https://c1profile.caspio.com/oauth/token", "https://c1default.caspio.com/oauth/token"
            )),
        Layered(
            name: "client id", flag: { $0.clientID = "flag-id" }, variable: ("CASPIO_CLIENT_ID", "env-id"),
            profileLine: #"client_id = "profile-id""#, value: { $0.clientID },
            expected: ("flag-id", "env-id", "profile-id", "default-id")),
        Layered(
            name: "auth style", flag: { $0.authStyle = "basic" }, variable: ("CASPIO_AUTH_STYLE", "body"),
            profileLine: #"auth_style = "basic""#, value: { $0.authStyle.rawValue },
            expected: ("basic", "body", "basic", "body")),
        Layered(
            name: "token cache", flag: { $0.tokenCache = "/flag/cache" }, variable: ("CASPIO_TOKEN_CACHE", "/env/cache"),
            profileLine: #"token_cache = "off""#, value: { $0.tokenCacheDirectory ?? "off" },
            expected: ("/flag/cache", "/env/cache", "off", "DEFAULT-CACHE")),
        Layered(
            name: "max requests", flag: { $0.maxRequests = 1 }, variable: ("CASPIO_MAX_REQUESTS", "2"),
            profileLine: "max_requests = 3", value: { $0.maxRequests.map(String.init) ?? "none" },
            expected: ("1", "2", "3", "none")),
        Layered(
            name: "connect timeout", flag: { _ in }, variable: ("CASPIO_CONNECT_TIMEOUT", "2.5"),
            profileLine: "connect_timeout = 3", value: { String($0.connectTimeout) },
            expected: ("2.5", "2.5", "3.0", "10.0")),
        Layered(
            name: "read timeout", flag: { _ in }, variable: ("CASPIO_READ_TIMEOUT", "7"),
            profileLine: "read_timeout = 8.5", value: { String($0.readTimeout) },
            expected: ("7.0", "7.0", "8.5", "60.0")),
        Layered(
            name: "max response bytes", flag: { _ in }, variable: ("CASPIO_MAX_RESPONSE_BYTES", "4096"),
            profileLine: "max_response_bytes = 2048", value: { String($0.maxResponseBytes) },
            expected: ("4096", "4096", "2048", "67108864")),
    ]

    @Test(arguments: layered)
    func flagsBeatTheEnvironmentWhichBeatsTheProfileWhichBeatsTheDefault(setting: Layered) throws {
        let sandbox = try ConfigSandbox()
        // "plain" holds only what resolving needs; "full" also gives the setting.
        let base = ["account = \"c1default\"", "client_id = \"default-id\"", "client_secret = \"s3cret\""]
        let key = setting.profileLine.prefix { $0 != " " }
        let full = base.filter { !$0.hasPrefix(key + " ") } + [setting.profileLine]
        try sandbox.writeConfig(
            "[profiles.plain]\n" + base.joined(separator: "\n") + "\n\n[profiles.full]\n" + full.joined(separator: "\n") + "\n")
        let defaultCache = sandbox.root + "/cache/caspio/tokens"
        func resolved(profile: String, environment: Bool, flag: Bool) throws -> String {
            var overrides = ConfigurationOverrides()
            if flag { setting.flag(&overrides) }
            var variables = ["CASPIO_PROFILE": profile]
            if environment { variables[setting.variable.0] = setting.variable.1 }
            let value = setting.value(try sandbox.resolve(variables, overrides: overrides))
            return value == defaultCache ? "DEFAULT-CACHE" : value
        }
        #expect(try resolved(profile: "full", environment: true, flag: true) == setting.expected.flag)
        #expect(try resolved(profile: "full", environment: true, flag: false) == setting.expected.environment)
        #expect(try resolved(profile: "full", environment: false, flag: false) == setting.expected.profile)
        #expect(try resolved(profile: "plain", environment: false, flag: false) == setting.expected.fallback)
    }

    @Test func theSecretOfTheEnvironmentBeatsTheProfilesAndEmptyVariablesCountAsUnset() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("""
            default_profile = "p"
            [profiles.p]
            base_url = "https://profile.example.com/rest/v2"
            client_id = "profile-id"
            client_secret = "profile-secret"
            """)
        #expect(try sandbox.resolve(["CASPIO_CLIENT_SECRET": "env-secret"]).clientSecret.reveal() == "env-secret")
        #expect(try sandbox.resolve().clientSecret.reveal() == "profile-secret")
        // An empty variable is no setting: the profile's value stands, for the secret as for the rest.
        let blank = try sandbox.resolve([
            "CASPIO_CLIENT_SECRET": "", "CASPIO_BASE_URL": "", "CASPIO_CLIENT_ID": " ", "CASPIO_ACCOUNT": "",
            "CASPIO_PROFILE": "",
        ])
        #expect(blank.clientSecret.reveal() == "profile-secret")
        #expect(blank.baseURL.absoluteString == "https://profile.example.com/rest/v2")
        #expect(blank.clientID == "profile-id")
        #expect(blank.profile == "p")
    }

    @Test func authStyleIsCaseInsensitiveAndCheckedForTypos() throws {
        let sandbox = try ConfigSandbox()
        #expect(try sandbox.resolve(minimalEnvironment.merging(["CASPIO_AUTH_STYLE": "BASIC"]) { $1 }).authStyle == .basic)
        let error = sandbox.error(minimalEnvironment.merging(["CASPIO_AUTH_STYLE": "header"]) { $1 })
        #expect(error?.message.contains("'header'") == true)
        #expect(error?.message.contains("body, basic") == true)
        #expect(error?.message.contains("CASPIO_AUTH_STYLE") == true)
    }

    @Test(arguments: [
        ("CASPIO_CONNECT_TIMEOUT", "soon"), ("CASPIO_CONNECT_TIMEOUT", "0"), ("CASPIO_CONNECT_TIMEOUT", "-1"),
        ("CASPIO_CONNECT_TIMEOUT", "inf"), ("CASPIO_READ_TIMEOUT", "nan"), ("CASPIO_MAX_REQUESTS", "ten"),
        ("CASPIO_MAX_REQUESTS", "-5"), ("CASPIO_MAX_RESPONSE_BYTES", "64MB"), ("CASPIO_MAX_RESPONSE_BYTES", "10"),
    ])
    func malformedNumbersInTheEnvironmentAreErrorsThatNameTheVariable(variable: String, value: String) throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error(minimalEnvironment.merging([variable: value]) { $1 })
        #expect(error?.message.contains(variable) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("'\(value)'") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: ["max_requests = 1e300", "max_requests = 2.5", "connect_timeout = inf", "read_timeout = -3",
                      "max_requests = nan", #"read_timeout = "60""#, "max_response_bytes = 100", "max_response_bytes = 1.5"])
    func malformedNumbersInAProfileAreErrorsThatNameTheSetting(line: String) throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("""
            [profiles.p]
            account = "c1abc123"
            client_id = "i"
            client_secret = "s"
            \(line)
            """)
        let error = sandbox.error(["CASPIO_PROFILE": "p"])
        let key = String(line.prefix { $0 != " " })
        #expect(error?.message.contains(key) == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("profile 'p' of \(sandbox.configPath)") == true, "\(error?.message ?? "")")
    }

    // MARK: Profiles

    static let twoProfiles = """
        default_profile = "prod"

        [profiles.prod]
        account = "c1prod"
        client_id = "prod-id"
        client_secret = "prod-secret"

        [profiles.staging]
        base_url = "https://staging.example.com/rest/v2"
        client_id = "staging-id"
        client_secret = "staging-secret"
        """

    @Test func theDefaultProfileIsUsedUnlessCaspioProfileOrTheFlagNamesAnother() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(Self.twoProfiles)
        let byDefault = try sandbox.resolve()
        #expect(byDefault.profile == "prod")
        #expect(byDefault.baseURL.absoluteString == "https://c1prod.caspio.com/integrations/rest/v3")
        #expect(byDefault.clientID == "prod-id")

        let byVariable = try sandbox.resolve(["CASPIO_PROFILE": "staging"])
        #expect(byVariable.profile == "staging")
        #expect(byVariable.baseURL.absoluteString == "https://staging.example.com/rest/v2")
        #expect(byVariable.tokenURL.absoluteString == "https://staging.example.com/oauth/token")
        #expect(byVariable.clientSecret.reveal() == "staging-secret")

        var overrides = ConfigurationOverrides()
        overrides.profile = "prod"
        #expect(try sandbox.resolve(["CASPIO_PROFILE": "staging"], overrides: overrides).profile == "prod")
    }

    @Test func caspioConfigOverridesThePathAndHomeIsTheLastResort() throws {
        let sandbox = try ConfigSandbox()
        let elsewhere = try sandbox.writeFile("elsewhere.toml", Self.twoProfiles)
        #expect(try sandbox.resolve(["CASPIO_CONFIG": elsewhere]).profile == "prod")
        #expect(ConfigurationResolver(environment: ["CASPIO_CONFIG": elsewhere]).configFilePath == elsewhere)
        #expect(
            ConfigurationResolver(environment: ["HOME": "/home/u"]).configFilePath == "/home/u/.config/caspio/config.toml")
        #expect(
            ConfigurationResolver(environment: ["HOME": "/home/u", "XDG_CONFIG_HOME": "/x"]).configFilePath
                == "/x/caspio/config.toml")
        #expect(
            ConfigurationResolver(environment: ["HOME": "/home/u"]).defaultTokenCacheDirectory
                == "/home/u/.cache/caspio/tokens")
        // Without a config file, the environment alone is enough.
        let configuration = try sandbox.resolve(minimalEnvironment)
        #expect(configuration.profile == nil)
    }

    @Test func anUnknownProfileListsTheKnownOnes() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(Self.twoProfiles)
        let error = sandbox.error(["CASPIO_PROFILE": "prd"])
        #expect(error?.message.contains("no profile 'prd'") == true)
        #expect(error?.message.contains(sandbox.configPath) == true)
        #expect(error?.message.contains("prod, staging") == true)

        var overrides = ConfigurationOverrides()
        overrides.profile = "nope"
        #expect(sandbox.error(overrides: overrides)?.message.contains("no profile 'nope'") == true)

        try sandbox.writeConfig("default_profile = \"gone\"\n")
        let dangling = sandbox.error()
        #expect(dangling?.message.contains("no profile 'gone'") == true)
        #expect(dangling?.message.contains("profiles there: none") == true)
    }

    @Test func aProfileWithoutAConfigFileSaysWhereTheFileWasLookedFor() throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error(minimalEnvironment.merging(["CASPIO_PROFILE": "prod"]) { $1 })
        #expect(error?.message.contains("profile 'prod'") == true)
        #expect(error?.message.contains("no config file at \(sandbox.configPath)") == true)
    }

    // MARK: Secrets

    func profile(secretLine: String) -> String {
        """
        default_profile = "p"
        [profiles.p]
        account = "c1abc123"
        client_id = "id"
        \(secretLine)
        """
    }

    @Test func anInlineSecret() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(profile(secretLine: #"client_secret = "inline-Xy7""#))
        #expect(try sandbox.resolve().clientSecret.reveal() == "inline-Xy7")
    }

    @Test func aSecretFromANamedVariable() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(profile(secretLine: #"client_secret_env = "MY_CASPIO_SECRET""#))
        #expect(try sandbox.resolve(["MY_CASPIO_SECRET": "from-var-Pq2"]).clientSecret.reveal() == "from-var-Pq2")
        let error = sandbox.error()
        #expect(error?.message.contains("MY_CASPIO_SECRET") == true)
        #expect(error?.message.contains("not set") == true)
        #expect(error?.message.contains("profile 'p'") == true)
    }

    @Test(arguments: [0o600, 0o400])
    func aSecretFileOnlyItsOwnerCanReadIsRead(mode: Int) throws {
        let sandbox = try ConfigSandbox()
        let path = try sandbox.writeFile("secret", "from-file-Lm4\n", mode: mode)
        try sandbox.writeConfig(profile(secretLine: "client_secret_file = \"\(path)\""))
        #expect(try sandbox.resolve().clientSecret.reveal() == "from-file-Lm4")
    }

    @Test func aSecretFileWithWindowsLineEndsIsTrimmed() throws {
        let sandbox = try ConfigSandbox()
        let path = try sandbox.writeFile("secret", "crlf-Lm4\r\n")
        try sandbox.writeConfig(profile(secretLine: "client_secret_file = \"\(path)\""))
        #expect(try sandbox.resolve().clientSecret.reveal() == "crlf-Lm4")
    }

    @Test func aSecretFileUnderHomeIsFoundWithTilde() throws {
        let sandbox = try ConfigSandbox()
        let path = sandbox.root + "/home/caspio.secret"
        try "tilde-Qw1".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try sandbox.writeConfig(profile(secretLine: #"client_secret_file = "~/caspio.secret""#))
        #expect(try sandbox.resolve().clientSecret.reveal() == "tilde-Qw1")
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660])
    func aSecretFileOthersCanReadIsRefusedWithTheChmodHint(mode: Int) throws {
        let sandbox = try ConfigSandbox()
        let path = try sandbox.writeFile("secret", "readable-Zz9\n", mode: mode)
        try sandbox.writeConfig(profile(secretLine: "client_secret_file = \"\(path)\""))
        let error = sandbox.error()
        #expect(error?.message.contains("chmod 600 \(path)") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains(String(mode, radix: 8)) == true)
        #expect(error?.message.contains("readable-Zz9") == false)
    }

    @Test func aMissingSecretFileIsAClearError() throws {
        let sandbox = try ConfigSandbox()
        let path = sandbox.root + "/no-such-secret"
        try sandbox.writeConfig(profile(secretLine: "client_secret_file = \"\(path)\""))
        let error = sandbox.error()
        #expect(error?.message.contains("client_secret_file \(path)") == true)
        #expect(error?.message.contains("No such file") == true)
    }

    @Test func aSecretFromACommandLosesItsTrailingNewline() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(profile(secretLine: #"client_secret_command = "printf 'cmd-secret-Rt5\\n'""#))
        #expect(try sandbox.resolve().clientSecret.reveal() == "cmd-secret-Rt5")
        // Inner and leading spaces stay, and only line ends are trimmed.
        try sandbox.writeConfig(profile(secretLine: #"client_secret_command = "printf ' one two \r\n\n'""#))
        #expect(try sandbox.resolve().clientSecret.reveal() == " one two ")
    }

    @Test func aFailingCommandsStatusIsInTheErrorButNotItsOutput() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(
            profile(secretLine: #"client_secret_command = "echo leaked-Vb6; echo 'vault is sealed' >&2; exit 7""#))
        let error = sandbox.error()
        #expect(error?.message.contains("client_secret_command exited with status 7") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("vault is sealed") == true)
        #expect(error?.message.contains("leaked-Vb6") == false)
        #expect(error?.message.contains("profile 'p'") == true)
    }

    @Test func aCommandThatPrintsNothingGivesAnEmptySecretError() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(profile(secretLine: #"client_secret_command = "true""#))
        #expect(sandbox.error()?.message.contains("the client secret is empty") == true)
    }

    @Test func aCommandWithMuchOutputOnBothStreamsDoesNotHang() throws {
        let sandbox = try ConfigSandbox()
        // 200 KB on stderr before the secret: more than a pipe holds.
        try sandbox.writeConfig(profile(secretLine: #"client_secret_command = "head -c 200000 /dev/zero | tr '\\0' x >&2; echo big-Ww3""#))
        #expect(try sandbox.resolve().clientSecret.reveal() == "big-Ww3")
    }

    @Test func onlyOneSecretSourceMayBeGiven() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(profile(secretLine: "client_secret = \"a\"\nclient_secret_env = \"B\""))
        let error = sandbox.error()
        #expect(error?.message.contains("give only one of client_secret, client_secret_env") == true)
    }

    // MARK: Missing and malformed settings

    /// Everything missing is said at once, with every way out: the variables, a profile
    /// (`caspio profile add`), or the sandbox.
    @Test func everythingMissingIsSaidAtOnce() throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error([:])
        #expect(error?.isSetup == true)
        #expect(error?.message == """
            no Caspio account is configured: missing the account (CASPIO_ACCOUNT or CASPIO_BASE_URL), the client id (CASPIO_CLIENT_ID) and the client secret (CASPIO_CLIENT_SECRET).
            Set them in the environment, or in a profile of \(sandbox.configPath) (account or base_url; client_id; client_secret_file, client_secret_env, client_secret_command or client_secret); `caspio profile add NAME` writes one.
            To try caspio without an account, add --sandbox (caspio run --sandbox job.lua, caspio repl --sandbox).
            """)
    }

    @Test func aMissingAccountSaysWhatToSetAndWhere() throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error(["CASPIO_CLIENT_ID": "i", "CASPIO_CLIENT_SECRET": "s"])
        for word in ["CASPIO_BASE_URL", "CASPIO_ACCOUNT", "base_url", "account", sandbox.configPath] {
            #expect(error?.message.contains(word) == true, "\(word) missing from: \(error?.message ?? "")")
        }
    }

    @Test func aMissingClientIDSaysWhatToSetAndWhere() throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error(["CASPIO_ACCOUNT": "c1abc123", "CASPIO_CLIENT_SECRET": "s"])
        for word in ["missing the client id (CASPIO_CLIENT_ID).", "client_id", sandbox.configPath, "--sandbox"] {
            #expect(error?.message.contains(word) == true, "\(word) missing from: \(error?.message ?? "")")
        }
    }

    @Test func aMissingSecretSaysWhatToSetAndWhere() throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error(["CASPIO_ACCOUNT": "c1abc123", "CASPIO_CLIENT_ID": "i"])
        for word in [
            "missing the client secret (CASPIO_CLIENT_SECRET).", "client_secret_env", "client_secret_file", "client_secret_command",
            sandbox.configPath,
        ] {
            #expect(error?.message.contains(word) == true, "\(word) missing from: \(error?.message ?? "")")
        }
    }

    @Test(arguments: ["c1abc123.caspio.com", "https://c1abc123.caspio.com", "c1 abc", "c1/abc", "c1äbc", "c1abc１２３"])
    func anAccountThatIsNotAnIDIsRefused(account: String) throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error(minimalEnvironment.merging(["CASPIO_ACCOUNT": account]) { $1 })
        #expect(error?.message.contains("is not an account id such as c1abc123") == true)
        #expect(error?.message.contains("CASPIO_ACCOUNT") == true, "\(error?.message ?? "")")
    }

    @Test(arguments: [
        "http://127.0.0.1:8080/rest/v2", "http://127.5.6.7/rest/v2", "http://[::1]:9000/rest/v2",
        "http://localhost/rest/v2", "http://LOCALHOST:1/rest/v2",
    ])
    func plainHTTPIsAcceptedOnLoopback(url: String) throws {
        let sandbox = try ConfigSandbox()
        let configuration = try sandbox.resolve(["CASPIO_BASE_URL": url, "CASPIO_CLIENT_ID": "i", "CASPIO_CLIENT_SECRET": "s"])
        #expect(configuration.baseURL.scheme == "http")
        #expect(configuration.tokenURL.scheme == "http")
    }

    @Test(arguments: [
        "http://example.com/rest/v2", "http://c1abc123.caspio.com/integrations/rest/v3", "http://128.0.0.1/rest/v2",
        "http://127.0.0.1.example.com/rest/v2", "http://localhost.example.com/rest/v2", "http://10.0.0.1/rest/v2",
        "http://[::2]/rest/v2",
    ])
    func plainHTTPIsRefusedElsewhere(url: String) throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error(["CASPIO_BASE_URL": url, "CASPIO_CLIENT_ID": "i", "CASPIO_CLIENT_SECRET": "s"])
        #expect(error?.message.contains("plain http") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("https") == true)
        #expect(error?.message.contains("CASPIO_BASE_URL") == true, "\(error?.message ?? "")")
        // Also for the token URL, where the secret would travel.
        let token = sandbox.error(minimalEnvironment.merging(["CASPIO_TOKEN_URL": url]) { $1 })
        #expect(token?.message.contains("plain http") == true)
        #expect(token?.message.contains("CASPIO_TOKEN_URL") == true, "\(token?.message ?? "")")
    }

    @Test(arguments: ["not a url", "https://", "c1abc123.caspio.com/rest/v2", "ftp://files.example.com/rest", "https:/x/rest", "://x"])
    func malformedURLsAreRefused(url: String) throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error(["CASPIO_BASE_URL": url, "CASPIO_CLIENT_ID": "i", "CASPIO_CLIENT_SECRET": "s"])
        #expect(error?.message.contains("'\(url)'") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("https://") == true)
        #expect(error?.message.contains("CASPIO_BASE_URL") == true, "\(error?.message ?? "")")
    }

    @Test func malformedURLsInAProfileNameTheProfileAndTheKey() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("""
            [profiles.p]
            base_url = "data.example.com/rest/v2"
            client_id = "i"
            client_secret = "s"
            """)
        let error = sandbox.error(["CASPIO_PROFILE": "p"])
        #expect(error?.message.contains("base_url") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("profile 'p' of \(sandbox.configPath)") == true, "\(error?.message ?? "")")
        var overrides = ConfigurationOverrides()
        overrides.tokenURL = "http://example.com/oauth/token"
        let flag = sandbox.error(minimalEnvironment, overrides: overrides)
        #expect(flag?.message.contains("--token-url") == true, "\(flag?.message ?? "")")
    }

    @Test func anUnreadableCAFileIsAClearError() throws {
        let sandbox = try ConfigSandbox()
        let missing = sandbox.root + "/no-such-ca.pem"
        let error = sandbox.error(minimalEnvironment.merging(["CASPIO_CA_FILE": missing]) { $1 })
        #expect(error?.message.contains("cannot read the CA file \(missing)") == true)
        #expect(error?.message.contains("CASPIO_CA_FILE") == true)
        // A readable file that holds no certificate fails when the client is made, as a config error.
        let garbage = try sandbox.writeFile("garbage.pem", "not a certificate\n", mode: 0o644)
        let configuration = try sandbox.resolve(minimalEnvironment.merging(["CASPIO_CA_FILE": garbage]) { $1 })
        #expect(configuration.caFile == garbage)
        #expect {
            _ = try CaspioClient(configuration: configuration, logger: CapturedLogs().logger())
        } throws: { error in
            (error as? CaspioError)?.kind == .config && "\(error)".contains(garbage)
        }
    }

    // MARK: The config file itself

    @Test func invalidTOMLGivesTheLineAndColumn() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("""
            [profiles.p]
            account = "c1abc123"
            client_id = = "oops"
            """)
        let error = sandbox.error()
        #expect(error?.message.contains(sandbox.configPath) == true)
        #expect(error?.message.contains("not valid TOML") == true)
        #expect(error?.message.contains("line 3") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("column") == true)
    }

    @Test func unknownKeysAreRefusedWithTheKnownOnes() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("""
            [profiles.p]
            account = "c1abc123"
            clientid = "oops"
            """)
        let error = sandbox.error()
        #expect(error?.message.contains("unknown setting 'clientid'") == true)
        #expect(error?.message.contains("profile 'p' of \(sandbox.configPath)") == true)
        #expect(error?.message.contains("client_id") == true)

        try sandbox.writeConfig("account = \"c1abc123\"\n")
        let topLevel = sandbox.error(["CASPIO_CLIENT_ID": "i", "CASPIO_CLIENT_SECRET": "s"])
        #expect(topLevel?.message.contains("unknown top-level key 'account'") == true)
        #expect(topLevel?.message.contains("[profiles.NAME]") == true)
    }

    @Test func wrongTypesAreRefused() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("[profiles.p]\nclient_id = 42\n")
        #expect(sandbox.error()?.message.contains("client_id must be a string") == true)
        try sandbox.writeConfig("default_profile = 1\n")
        #expect(sandbox.error()?.message.contains("default_profile must be a string") == true)
        try sandbox.writeConfig("profiles = 3\n")
        #expect(sandbox.error()?.message.contains("'profiles' must be a table") == true)
        try sandbox.writeConfig("[profiles]\np = 1\n")
        #expect(sandbox.error()?.message.contains("profiles.p must be a table") == true)
    }

    // MARK: The token cache

    @Test func theTokenCacheIsOnUnderXDGCacheHomeByDefaultAndCanBeTurnedOff() throws {
        let sandbox = try ConfigSandbox()
        #expect(try sandbox.resolve(minimalEnvironment).tokenCacheDirectory == sandbox.root + "/cache/caspio/tokens")
        for off in ["off", "OFF", "Off"] {
            #expect(try sandbox.resolve(minimalEnvironment.merging(["CASPIO_TOKEN_CACHE": off]) { $1 }).tokenCacheDirectory == nil)
        }
        #expect(
            try sandbox.resolve(minimalEnvironment.merging(["CASPIO_TOKEN_CACHE": "~/tokens"]) { $1 }).tokenCacheDirectory
                == sandbox.root + "/home/tokens")
        var environment = sandbox.environment
        environment["XDG_CACHE_HOME"] = nil
        let withoutXDG = try ConfigurationResolver(environment: environment.merging(minimalEnvironment) { $1 }).resolve()
        #expect(withoutXDG.tokenCacheDirectory == sandbox.root + "/home/.cache/caspio/tokens")
    }

    // MARK: Secrets stay secret

    @Test func noErrorMessageContainsTheSecret() throws {
        let secret = "Sup3r-S3cret-Value-4711"
        var messages: [String] = []
        func collect(_ error: CaspioError?) {
            if let error { messages.append(error.description) }
        }
        let sandbox = try ConfigSandbox()
        let withSecret = ["CASPIO_CLIENT_SECRET": secret, "CASPIO_CLIENT_ID": "i"]
        collect(sandbox.error(withSecret))
        collect(sandbox.error(withSecret.merging(["CASPIO_BASE_URL": "http://example.com/x"]) { $1 }))
        collect(sandbox.error(withSecret.merging(["CASPIO_BASE_URL": "nonsense"]) { $1 }))
        collect(sandbox.error(withSecret.merging(["CASPIO_ACCOUNT": "c1 x"]) { $1 }))
        collect(sandbox.error(withSecret.merging(["CASPIO_ACCOUNT": "c1", "CASPIO_AUTH_STYLE": "x"]) { $1 }))
        collect(sandbox.error(withSecret.merging(["CASPIO_ACCOUNT": "c1", "CASPIO_CA_FILE": "/nonexistent"]) { $1 }))
        collect(sandbox.error(["CASPIO_CLIENT_SECRET": secret, "CASPIO_ACCOUNT": "c1"]))
        collect(sandbox.error(withSecret.merging(["CASPIO_PROFILE": "missing"]) { $1 }))
        // The secret on a line of the config file that does not parse, or beside an unknown key.
        try sandbox.writeConfig("[profiles.p]\nclient_secret = \"\(secret)\" junk\n")
        collect(sandbox.error(["CASPIO_PROFILE": "p"]))
        try sandbox.writeConfig("[profiles.p]\nclient_secret = \"\(secret)\nclient_id = \"i\"\n")
        collect(sandbox.error(["CASPIO_PROFILE": "p"]))
        try sandbox.writeConfig("[profiles.p]\nclient_secret = \"\(secret)\"\nsecret = \"\(secret)\"\n")
        collect(sandbox.error(["CASPIO_PROFILE": "p"]))
        try sandbox.writeConfig("[profiles.p]\nclient_secret = \"\(secret)\"\nclient_secret_env = \"X\"\n")
        collect(sandbox.error(["CASPIO_PROFILE": "p"]))
        try sandbox.writeConfig("[profiles.p]\nclient_secret = \"\(secret)\"\nbase_url = \"http://example.com\"\nclient_id = \"i\"\n")
        collect(sandbox.error(["CASPIO_PROFILE": "p"]))
        let file = try sandbox.writeFile("secret", secret, mode: 0o644)
        try sandbox.writeConfig("[profiles.p]\naccount = \"c1\"\nclient_id = \"i\"\nclient_secret_file = \"\(file)\"\n")
        collect(sandbox.error(["CASPIO_PROFILE": "p"]))
        try sandbox.writeConfig("[profiles.p]\naccount = \"c1\"\nclient_id = \"i\"\nclient_secret_command = \"echo \(secret); exit 1\"\n")
        collect(sandbox.error(["CASPIO_PROFILE": "p"]))

        #expect(messages.count == 15)
        for message in messages {
            #expect(!message.contains(secret), "\(message)")
        }
        // And the configuration itself never shows it.
        let configuration = try sandbox.resolve(minimalEnvironment.merging(["CASPIO_CLIENT_SECRET": secret]) { $1 })
        #expect(!"\(configuration)".contains(secret))
        #expect(!String(reflecting: configuration).contains(secret))
    }
}
