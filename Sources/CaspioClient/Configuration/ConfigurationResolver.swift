import Foundation

/// Settings given explicitly (command-line flags); the highest layer.
public struct ConfigurationOverrides: Sendable {
    public var profile: String?
    public var account: String?
    public var baseURL: String?
    public var tokenURL: String?
    public var clientID: String?
    public var authStyle: String?
    public var caFile: String?
    public var tokenCache: String?
    public var maxRequests: Int?
    public var rate: Double?
    public var maxRequestsPerDay: Int?
    public var maxRequestsPerPeriod: Int?
    /// `--store`: file, or a PostgreSQL URL.
    public var store: String?
    /// What the usage ledger files the run's requests under.
    public var scriptName: String?
    /// The acting user every request names in Caspio's `Principal` header (`--principal`).
    public var principal: String?
    public init() {}

    /// The flags that need no account checked at once (`--rate 0` is wrong even for a run
    /// that never makes a request).
    public func validate() throws(CaspioError) {
        _ = try UsageSettings.validated(
            rate: rate, perDay: maxRequestsPerDay, perPeriod: maxRequestsPerPeriod, billingDay: nil,
            spelled: UsageSettings.flagName)
    }
}

/// One setting as each layer spells it, for error messages that say what to set and where.
struct Setting {
    var key: String
    var variable: String
    var flag: String?

    static let account = Setting(key: "account", variable: "CASPIO_ACCOUNT", flag: "--account")
    static let baseURL = Setting(key: "base_url", variable: "CASPIO_BASE_URL", flag: "--base-url")
    static let tokenURL = Setting(key: "token_url", variable: "CASPIO_TOKEN_URL", flag: "--token-url")
    static let authStyle = Setting(key: "auth_style", variable: "CASPIO_AUTH_STYLE", flag: nil)
    static let caFile = Setting(key: "ca_file", variable: "CASPIO_CA_FILE", flag: "--ca-file")
    static let store = Setting(key: "store", variable: "CASPIO_STORE", flag: "--store")
}

/// One layer of settings (flags, environment, or a profile), before resolution.
struct SettingsLayer {
    enum Kind { case flags, environment, profile }

    var kind: Kind
    /// "the command line", "the environment" or "profile 'NAME' of PATH".
    var name: String
    var account: String?
    var baseURL: String?
    var tokenURL: String?
    var clientID: String?
    var secret: SecretSource?
    var authStyle: String?
    var caFile: String?
    var tokenCache: String?
    var maxRequests: Int?
    var connectTimeout: Double?
    var readTimeout: Double?
    var maxResponseBytes: Int?
    var usage = UsageSettings()
    var store: String?
    /// `store_password_env`, `_file` or `_command` (profiles only).
    var storePassword: SecretSource?

    /// Where this layer gives `setting`: `CASPIO_BASE_URL in the environment`,
    /// `--base-url on the command line`, `base_url in profile 'prod' of PATH`.
    func origin(_ setting: Setting) -> String {
        switch kind {
        case .flags: "\(setting.flag ?? setting.key) on the command line"
        case .environment: "\(setting.variable) in the environment"
        case .profile: "\(setting.key) in \(name)"
        }
    }
}

/// Resolves settings, highest first: flags, environment, a profile of the config file,
/// defaults. Every problem is a `config` error that says what to set and where.
public struct ConfigurationResolver {
    public var environment: [String: String]
    public var overrides: ConfigurationOverrides
    /// False for commands that only read local state (`caspio usage`): no client id or
    /// secret is needed, and no secret command runs.
    public var requireCredentials = true

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, overrides: ConfigurationOverrides = .init()) {
        self.environment = environment
        self.overrides = overrides
    }

    /// `$CASPIO_CONFIG`, else `$XDG_CONFIG_HOME/caspio/config.toml`, else `~/.config/caspio/config.toml`.
    public var configFilePath: String {
        if let path = environment["CASPIO_CONFIG"], !path.isEmpty { return path }
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
        return base + "/caspio/config.toml"
    }

    /// `$XDG_CACHE_HOME/caspio/tokens`, else `~/.cache/caspio/tokens`.
    public var defaultTokenCacheDirectory: String {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.cache"
        return base + "/caspio/tokens"
    }

    private var home: String { environment["HOME"] ?? NSHomeDirectory() }

    /// What to say when settings are missing: every way out, including none at all.
    public static let sandboxHint = "To try caspio without an account, add --sandbox (caspio run --sandbox job.lua, caspio repl --sandbox)."

    public func resolve() throws(CaspioError) -> ClientConfiguration {
        do {
            return try resolveLayers(file: try ConfigFile.load(path: configFilePath))
        } catch {
            var error = error
            error.isSetup = true
            throw error
        }
    }

    /// What `--profile NAME` would resolve to if `configText` were the config file, taking the
    /// account, client id and secret from that profile alone: a `CASPIO_*` variable must not
    /// make a check of the profile's credentials pass (or fail) for another account.
    public func resolve(profile: String, configText: String) throws(CaspioError) -> ClientConfiguration {
        var resolver = self
        for name in ["CASPIO_ACCOUNT", "CASPIO_BASE_URL", "CASPIO_TOKEN_URL", "CASPIO_CLIENT_ID", "CASPIO_CLIENT_SECRET", "CASPIO_AUTH_STYLE", "CASPIO_PROFILE"] {
            resolver.environment[name] = nil
        }
        resolver.overrides = ConfigurationOverrides()
        resolver.overrides.profile = profile
        resolver.overrides.tokenCache = overrides.tokenCache
        return try resolver.resolveLayers(file: try ConfigFile.parse(configText, path: configFilePath))
    }

    /// The layers that apply, highest first, and the profile chosen (if any).
    private func selectedLayers(file: ConfigFile?) throws(CaspioError) -> (String?, [SettingsLayer]) {
        let profileName = nonEmpty(overrides.profile) ?? nonEmpty(environment["CASPIO_PROFILE"]) ?? file?.defaultProfile
        var profileLayer: SettingsLayer?
        if let profileName {
            guard let file else {
                throw CaspioError(
                    .config, "profile '\(profileName)' was asked for, but there is no config file at \(configFilePath)")
            }
            guard let layer = file.profiles[profileName] else {
                let known = file.profiles.keys.sorted().joined(separator: ", ")
                throw CaspioError(
                    .config,
                    "there is no profile '\(profileName)' in \(configFilePath) (profiles there: \(known.isEmpty ? "none" : known))")
            }
            profileLayer = layer
        }
        return (profileName, [try flagsLayer(), try environmentLayer()] + (profileLayer.map { [$0] } ?? []))
    }

    /// Where tokens, locks, state and the ledger live (`store`): needs no account, so that
    /// `caspio store init` and `--lock` work before any credentials are looked at.
    public func resolveStore() throws(CaspioError) -> StoreSetting {
        do throws(CaspioError) {
            // Without a config file no profile can name a store: a missing profile is reported
            // when the client needs it, as before. A profile that exists must be readable, since
            // guessing past it could take this host's files for a shared store.
            let file = try ConfigFile.load(path: configFilePath)
            let layers = file == nil ? [try flagsLayer(), try environmentLayer()] : try selectedLayers(file: file).1
            guard let layer = layers.first(where: { nonEmpty($0.store) != nil }), let text = layer.store else {
                return StoreSetting(url: nil, origin: "the default")
            }
            let value = text.trimmingCharacters(in: .whitespaces)
            let origin = layer.origin(.store)
            if value.lowercased() == "file" { return StoreSetting(url: nil, origin: origin) }
            let scheme = value.lowercased()
            guard scheme.hasPrefix("postgres://") || scheme.hasPrefix("postgresql://") else {
                throw CaspioError(
                    .config,
                    "the store '\(StoreSetting.redacted(value))' (from \(origin)) is neither file nor a PostgreSQL URL such as postgres://caspio@db.example.com/caspio?sslmode=require")
            }
            var setting = StoreSetting(url: value, origin: origin)
            if let passwordLayer = layers.first(where: { $0.storePassword != nil }), let source = passwordLayer.storePassword {
                setting.password = try source.resolve(environment: environment, origin: passwordLayer.name, prefix: "store_password")
                setting.passwordOrigin = "\(source.setting("store_password")) in \(passwordLayer.name)"
            }
            return setting
        } catch {
            var error = error
            error.isSetup = true
            throw error
        }
    }

    private func resolveLayers(file: ConfigFile?) throws(CaspioError) -> ClientConfiguration {
        let (profileName, selected) = try selectedLayers(file: file)
        var layers = selected
        try requireEverySetting(in: layers, profile: profileName)
        if !requireCredentials, !layers.contains(where: { $0.secret != nil }) {
            layers[layers.count - 1].secret = .inline(Secret(""))
        }
        if !requireCredentials, !layers.contains(where: { nonEmpty($0.clientID) != nil }) {
            layers[layers.count - 1].clientID = "(none)"
        }

        // The endpoint comes as a unit from the highest layer that names one.
        let endpointIndex = layers.firstIndex { $0.account != nil || $0.baseURL != nil }!
        let endpointLayer = layers[endpointIndex]
        let baseURL: URL
        var derivedTokenURL: URL
        if let base = endpointLayer.baseURL {
            baseURL = try Self.validatedURL(base, what: "base URL", from: endpointLayer.origin(.baseURL))
            derivedTokenURL = try Self.tokenURL(onHostOf: baseURL)
        } else {
            let account = endpointLayer.account!.trimmingCharacters(in: .whitespaces)
            guard !account.isEmpty, account.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                throw CaspioError(
                    .config,
                    "the account '\(account)' (from \(endpointLayer.origin(.account))) is not an account id such as c1abc123")
            }
            baseURL = URL(string: "https://\(account).caspio.com/integrations/rest/v3")!
            derivedTokenURL = URL(string: "https://\(account).caspio.com/oauth/token")!
        }
        // A token URL goes with the endpoint of its own layer or overrides it from above; one
        // from a lower layer belongs to that layer's host, so it never pairs with this endpoint.
        if let layer = layers[...endpointIndex].first(where: { $0.tokenURL != nil }) {
            derivedTokenURL = try Self.validatedURL(layer.tokenURL!, what: "token URL", from: layer.origin(.tokenURL))
        }

        let idLayer = layers.first { nonEmpty($0.clientID) != nil }!
        let secretLayer = layers.first { $0.secret != nil }!
        let secret = requireCredentials
            ? try secretLayer.secret!.resolve(environment: environment, origin: secretLayer.name) : Secret("")
        let secretOrigin = SecretOrigin(
            setting: secretLayer.kind == .environment ? "CASPIO_CLIENT_SECRET" : secretLayer.secret!.setting,
            detail: secretLayer.secret!.detail, layer: secretLayer.name)

        var style = ClientConfiguration.AuthStyle.body
        if let layer = layers.first(where: { $0.authStyle != nil }), let text = layer.authStyle {
            guard let given = ClientConfiguration.AuthStyle(rawValue: text.lowercased()) else {
                throw CaspioError(
                    .config, "the auth style '\(text)' (from \(layer.origin(.authStyle))) is not one of: body, basic")
            }
            style = given
        }
        var caFile: String?
        if let layer = layers.first(where: { $0.caFile != nil }), let path = layer.caFile.map(expandTilde) {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw CaspioError(.config, "cannot read the CA file \(path) (from \(layer.origin(.caFile)))")
            }
            caFile = path
        }
        let cacheSetting = layers.lazy.compactMap(\.tokenCache).first
        let cacheDirectory: String? =
            cacheSetting.map { $0.lowercased() == "off" ? nil : expandTilde($0) } ?? defaultTokenCacheDirectory
        let usage = layers.map(\.usage)
        let (perDay, perPeriod) = (usage.lazy.compactMap(\.maxRequestsPerDay).first, usage.lazy.compactMap(\.maxRequestsPerPeriod).first)
        if cacheDirectory == nil, perDay != nil || perPeriod != nil {
            throw CaspioError(
                .config,
                "max_requests_per_day and max_requests_per_period are counted by the usage ledger, which lives in the token cache directory, and the token cache is off (CASPIO_TOKEN_CACHE or token_cache)")
        }
        var configuration = ClientConfiguration(
            profile: profileName, baseURL: baseURL, tokenURL: derivedTokenURL, clientID: nonEmpty(idLayer.clientID)!,
            clientSecret: secret, authStyle: style, caFile: caFile, tokenCacheDirectory: cacheDirectory,
            connectTimeout: layers.lazy.compactMap(\.connectTimeout).first ?? 10,
            readTimeout: layers.lazy.compactMap(\.readTimeout).first ?? 60,
            maxRequests: layers.lazy.compactMap(\.maxRequests).first, rate: usage.lazy.compactMap(\.rate).first,
            maxRequestsPerDay: perDay, maxRequestsPerPeriod: perPeriod,
            billingDay: usage.lazy.compactMap(\.billingDay).first ?? 1, usageDirectory: cacheDirectory,
            scriptName: overrides.scriptName)
        configuration.secretOrigin = secretOrigin
        configuration.maxResponseBytes =
            layers.lazy.compactMap(\.maxResponseBytes).first ?? ClientConfiguration.defaultMaxResponseBytes
        configuration.principal = nonEmpty(overrides.principal) ?? nonEmpty(environment["CASPIO_PRINCIPAL"])
        return configuration
    }

    /// All that is missing, said at once, with every way out: the variables, a profile, or
    /// the sandbox.
    private func requireEverySetting(in layers: [SettingsLayer], profile: String?) throws(CaspioError) {
        var missing: [(what: String, variable: String, key: String)] = []
        if !requireCredentials, layers.contains(where: { $0.account != nil || $0.baseURL != nil }) { return }
        if !layers.contains(where: { $0.account != nil || $0.baseURL != nil }) {
            missing.append(("the account", "CASPIO_ACCOUNT or CASPIO_BASE_URL", "account or base_url"))
        }
        if !layers.contains(where: { nonEmpty($0.clientID) != nil }) {
            missing.append(("the client id", "CASPIO_CLIENT_ID", "client_id"))
        }
        if !layers.contains(where: { $0.secret != nil }) {
            missing.append((
                "the client secret", "CASPIO_CLIENT_SECRET",
                "client_secret_file, client_secret_env, client_secret_command or client_secret"
            ))
        }
        guard !missing.isEmpty else { return }
        let head = missing.count == 3 ? "no Caspio account is configured" : "the Caspio account settings are incomplete"
        let list = missing.map { "\($0.what) (\($0.variable))" }
        let listed = list.count == 1 ? list[0] : list.dropLast().joined(separator: ", ") + " and " + list.last!
        let place = profile.map { "profile '\($0)' of \(configFilePath)" } ?? "a profile of \(configFilePath)"
        let keys = missing.map(\.key).joined(separator: "; ")
        throw CaspioError(
            .config,
            """
            \(head): missing \(listed).
            Set them in the environment, or in \(place) (\(keys)); `caspio profile add NAME` writes one.
            \(Self.sandboxHint)
            """)
    }

    private func flagsLayer() throws(CaspioError) -> SettingsLayer {
        if let budget = overrides.maxRequests, budget < 0 {
            throw CaspioError(.config, "--max-requests \(budget) must be a whole number of requests, 0 or more")
        }
        var layer = SettingsLayer(
            kind: .flags, name: "the command line", account: nonEmpty(overrides.account),
            baseURL: nonEmpty(overrides.baseURL), tokenURL: nonEmpty(overrides.tokenURL),
            clientID: overrides.clientID, authStyle: overrides.authStyle, caFile: nonEmpty(overrides.caFile),
            tokenCache: nonEmpty(overrides.tokenCache), maxRequests: overrides.maxRequests)
        layer.store = nonEmpty(overrides.store)
        layer.usage = try UsageSettings.validated(
            rate: overrides.rate, perDay: overrides.maxRequestsPerDay, perPeriod: overrides.maxRequestsPerPeriod,
            billingDay: nil, spelled: UsageSettings.flagName)
        return layer
    }

    /// An empty variable counts as unset, the secret's included; a malformed number is an error.
    private func environmentLayer() throws(CaspioError) -> SettingsLayer {
        func value(_ name: String) -> String? { nonEmpty(environment[name]) }
        func count(_ name: String) throws(CaspioError) -> Int? {
            guard let text = value(name) else { return nil }
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)), number >= 0 else {
                throw CaspioError(.config, "\(name)='\(text)' is not a whole number of requests, 0 or more")
            }
            return number
        }
        func seconds(_ name: String) throws(CaspioError) -> Double? {
            guard let text = value(name) else { return nil }
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), Self.validSeconds(number) else {
                throw CaspioError(.config, "\(name)='\(text)' is not \(Self.secondsRange)")
            }
            return number
        }
        var layer = SettingsLayer(
            kind: .environment, name: "the environment", account: value("CASPIO_ACCOUNT"),
            baseURL: value("CASPIO_BASE_URL"), tokenURL: value("CASPIO_TOKEN_URL"), clientID: value("CASPIO_CLIENT_ID"),
            secret: value("CASPIO_CLIENT_SECRET").map { SecretSource.inline(Secret($0)) },
            authStyle: value("CASPIO_AUTH_STYLE"), caFile: value("CASPIO_CA_FILE"),
            tokenCache: value("CASPIO_TOKEN_CACHE"), maxRequests: try count("CASPIO_MAX_REQUESTS"),
            connectTimeout: try seconds("CASPIO_CONNECT_TIMEOUT"), readTimeout: try seconds("CASPIO_READ_TIMEOUT"))
        layer.usage = try UsageSettings.fromEnvironment(environment)
        if let text = value("CASPIO_MAX_RESPONSE_BYTES") {
            guard let number = Int(text.trimmingCharacters(in: .whitespaces)), Self.validByteLimit(number) else {
                throw CaspioError(.config, "CASPIO_MAX_RESPONSE_BYTES='\(text)' is not \(Self.byteLimitRange)")
            }
            layer.maxResponseBytes = number
        }
        layer.store = value("CASPIO_STORE")
        return layer
    }

    /// Timeouts: positive, finite, and short enough to count in nanoseconds.
    static func validSeconds(_ value: Double) -> Bool { value.isFinite && value > 0 && value <= 86400 }
    static let secondsRange = "a number of seconds above 0 and at most 86400"

    /// `max_response_bytes`: at least a kilobyte (a Caspio error body fits), at most 4 GB.
    static func validByteLimit(_ value: Int) -> Bool { value >= 1024 && value <= 1 << 32 }
    static let byteLimitRange = "a whole number of bytes from 1024 to 4294967296, e.g. 67108864 (64 MB)"

    private func expandTilde(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }

    /// https anywhere; plain http only on loopback, where no one else can listen.
    static func validatedURL(_ text: String, what: String, from origin: String) throws(CaspioError) -> URL {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), let host = url.host, !host.isEmpty else {
            throw CaspioError(.config, "the \(what) '\(text)' (from \(origin)) is not a valid URL such as https://c1abc123.caspio.com/integrations/rest/v3")
        }
        switch scheme {
        case "https": return url
        case "http" where isLoopback(host): return url
        case "http":
            throw CaspioError(
                .config,
                "the \(what) '\(text)' (from \(origin)) uses plain http; Caspio needs https (plain http is allowed only on 127.0.0.1, ::1 or localhost)")
        default:
            throw CaspioError(.config, "the \(what) '\(text)' (from \(origin)) must start with https://")
        }
    }

    /// `/oauth/token` on the base URL's scheme, host and port (an IPv6 host keeps its brackets).
    static func tokenURL(onHostOf base: URL) throws(CaspioError) -> URL {
        guard var components = URLComponents(url: base, resolvingAgainstBaseURL: false) else {
            throw CaspioError(.config, "cannot derive a token URL from \(base)")
        }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        components.path = "/oauth/token"
        guard let url = components.url else { throw CaspioError(.config, "cannot derive a token URL from \(base)") }
        return url
    }

    static func isLoopback(_ host: String) -> Bool {
        let host = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".")
        return parts.count == 4 && parts[0] == "127" && parts.allSatisfy { UInt8($0) != nil }
    }
}

func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
    return text
}
