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
    /// `--rate auto`: the account's published limit (ClientConfiguration.rateFromAccount).
    public var rateFromAccount = false
    public var maxRequestsPerDay: Int?
    public var maxRequestsPerPeriod: Int?
    /// `--billing-time-zone`: the account's clock for the ledger's days and periods.
    public var billingTimeZone: String?
    /// `--store`: file, or a PostgreSQL URL.
    public var store: String?
    /// What the usage ledger files the run's requests under.
    public var scriptName: String?
    /// The acting user every request names in Caspio's `Principal` header (`--principal`).
    public var principal: String?
    /// The client secret given directly (a `--sandbox`'s own, never a user's flag).
    public var clientSecret: Secret?
    /// The account is these overrides' alone (a `--sandbox`): no config file is read, and the
    /// environment's account settings are not looked at.
    public var accountFromOverridesOnly = false
    public init() {}

    /// The flags that need no account checked at once (`--rate 0` is wrong even for a run
    /// that never makes a request).
    public func validate() throws(CaspioError) {
        _ = try flagsLayer()
    }

    /// The settings the flags give, each beside its description; an empty text is unset.
    var flagValues: [(Setting, SettingValue?)] {
        func text(_ value: String?) -> SettingValue? { nonEmpty(value).map(SettingValue.text) }
        return [
            (.account, text(account)), (.baseURL, text(baseURL)), (.tokenURL, text(tokenURL)), (.clientID, text(clientID)),
            (.authStyle, text(authStyle)), (.caFile, text(caFile)), (.tokenCache, text(tokenCache)), (.store, text(store)),
            (.maxRequests, maxRequests.map(SettingValue.integer)), (.rate, rateFromAccount ? SettingValue.text(SettingType.autoRate) : rate.map(SettingValue.number)),
            (.maxRequestsPerDay, maxRequestsPerDay.map(SettingValue.integer)),
            (.maxRequestsPerPeriod, maxRequestsPerPeriod.map(SettingValue.integer)), (.billingTimeZone, text(billingTimeZone)),
        ]
    }

    /// The layer of the command line.
    func flagsLayer() throws(CaspioError) -> SettingsLayer {
        var layer = SettingsLayer(kind: .flags, name: "the command line")
        for (setting, value) in flagValues { try layer.set(setting, value) }
        layer.secret = clientSecret.map(SecretSource.inline)
        return layer
    }
}

/// One layer of settings (flags, environment, or a profile), before resolution.
struct SettingsLayer {
    enum Kind { case flags, environment, profile }

    var kind: Kind
    /// "the command line", "the environment" or "profile 'NAME' of PATH".
    var name: String
    /// Every setting of `Setting.typed` this layer gives, by name, checked.
    var values: [String: SettingValue] = [:]
    var secret: SecretSource?
    /// `store_password_env`, `_file` or `_command` (profiles only).
    var storePassword: SecretSource?

    init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    func text(_ setting: Setting) -> String? { values[setting.name]?.string }
    var account: String? { text(.account) }
    var baseURL: String? { text(.baseURL) }
    var tokenURL: String? { text(.tokenURL) }
    var clientID: String? { nonEmpty(text(.clientID)) }
    var store: String? { text(.store) }
    /// Gives the account (an account id or a base URL).
    var namesEndpoint: Bool { account != nil || baseURL != nil }

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
        if let path = environment[Setting.config.variable], !path.isEmpty { return path }
        return UserDirectories(environment: environment).config + "/config.toml"
    }

    /// `$XDG_CACHE_HOME/caspio/tokens`, else `~/.cache/caspio/tokens`.
    public var defaultTokenCacheDirectory: String {
        UserDirectories(environment: environment).cache + "/tokens"
    }

    /// What to say when settings are missing: every way out, including none at all.
    public static let sandboxHint = "To try caspio without an account, add --sandbox (caspio run --sandbox job.lua, caspio repl --sandbox)."

    public func resolve() throws(CaspioError) -> ClientConfiguration {
        do {
            return try resolveLayers(file: try configFile())
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
        for setting in Setting.profileAccountSettings + [.profile] {
            resolver.environment[setting.variable] = nil
        }
        resolver.overrides = ConfigurationOverrides()
        resolver.overrides.profile = profile
        resolver.overrides.tokenCache = overrides.tokenCache
        return try resolver.resolveLayers(file: try ConfigFile.parse(configText, path: configFilePath))
    }

    /// The account variables set in the environment that a `--profile` overrides, so that a
    /// command can say so: a run on another account than the one named must not be silent.
    public var ignoredVariables: [String] {
        guard !overrides.accountFromOverridesOnly, nonEmpty(overrides.profile) != nil else { return [] }
        return Setting.profileAccountSettings.map(\.variable).filter { nonEmpty(environment[$0]) != nil }
    }

    /// The config file, unless the overrides alone name the account.
    private func configFile() throws(CaspioError) -> ConfigFile? {
        overrides.accountFromOverridesOnly ? nil : try ConfigFile.load(path: configFilePath)
    }

    /// The layers that apply, highest first, and the profile chosen (if any).
    private func selectedLayers(file: ConfigFile?) throws(CaspioError) -> (String?, [SettingsLayer]) {
        let profileName = overrides.accountFromOverridesOnly
            ? nil : nonEmpty(overrides.profile) ?? nonEmpty(environment[Setting.profile.variable]) ?? file?.defaultProfile
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
        return (profileName, [try overrides.flagsLayer(), try environmentLayer()] + (profileLayer.map { [$0] } ?? []))
    }

    /// Where tokens, locks, state and the ledger live (`store`): needs no account, so that
    /// `caspio store init` and `--lock` work before any credentials are looked at.
    public func resolveStore() throws(CaspioError) -> StoreSetting {
        do throws(CaspioError) {
            // Without a config file no profile can name a store: a missing profile is reported
            // when the client needs it, as before. A profile that exists must be readable, since
            // guessing past it could take this host's files for a shared store.
            let file = try configFile()
            let layers = file == nil ? [try overrides.flagsLayer(), try environmentLayer()] : try selectedLayers(file: file).1
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
        let (profileName, layers) = try selectedLayers(file: file)
        try requireEverySetting(in: layers, profile: profileName)
        /// The highest layer's value of `setting`, else its default.
        func value(_ setting: Setting) -> SettingValue? {
            layers.lazy.compactMap { $0.values[setting.name] }.first ?? setting.defaultValue
        }

        // The endpoint comes as a unit from the highest layer that names one.
        guard let endpointIndex = layers.firstIndex(where: \.namesEndpoint) else {
            throw CaspioError(.config, "no Caspio account is configured (CASPIO_ACCOUNT or CASPIO_BASE_URL)\n\(Self.sandboxHint)")
        }
        let endpointLayer = layers[endpointIndex]
        let baseURL: URL
        var derivedTokenURL: URL
        // The version goes with the endpoint of its own layer or overrides it from above, as a
        // token URL does: a lower layer's belongs to that layer's account.
        let versionLayer = layers[...endpointIndex].first { $0.values[Setting.apiVersion.name] != nil }
        let version = versionLayer?.values[Setting.apiVersion.name]?.integer
        if let base = endpointLayer.baseURL {
            baseURL = try Self.validatedURL(base, what: "base URL", from: endpointLayer.origin(.baseURL))
            derivedTokenURL = try Self.tokenURL(onHostOf: baseURL)
            let named = ClientConfiguration.apiVersion(of: baseURL)
            if let version, let versionLayer, version != named {
                throw CaspioError(
                    .config,
                    "the base URL \(base) (from \(endpointLayer.origin(.baseURL))) is REST API v\(named), but \(versionLayer.origin(.apiVersion)) says \(version): end the base URL in \(ClientConfiguration.restPath(version)), or drop api_version")
            }
        } else {
            let account = (endpointLayer.account ?? "").trimmingCharacters(in: .whitespaces)
            guard !account.isEmpty, account.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                let accountBase = URL(string: "https://\(account).caspio.com" + ClientConfiguration.restPath(version ?? 3)),
                let accountToken = URL(string: "https://\(account).caspio.com/oauth/token")
            else {
                throw CaspioError(
                    .config,
                    "the account '\(account)' (from \(endpointLayer.origin(.account))) is not an account id such as c1abc123")
            }
            (baseURL, derivedTokenURL) = (accountBase, accountToken)
        }
        // A token URL goes with the endpoint of its own layer or overrides it from above; one
        // from a lower layer belongs to that layer's host, so it never pairs with this endpoint.
        if let layer = layers[...endpointIndex].first(where: { $0.tokenURL != nil }), let text = layer.tokenURL {
            derivedTokenURL = try Self.validatedURL(text, what: "token URL", from: layer.origin(.tokenURL))
        }

        // Without credentials required (`caspio usage`), none is looked for or shown.
        let clientID = layers.lazy.compactMap(\.clientID).first ?? ""
        var secret = Secret("")
        var secretOrigin: SecretOrigin?
        if requireCredentials, let layer = layers.first(where: { $0.secret != nil }), let source = layer.secret {
            secret = try source.resolve(environment: environment, origin: layer.name)
            // Given directly (a --sandbox's): no origin to check.
            if layer.kind != .flags { secretOrigin = SecretOrigin(
                setting: layer.kind == .environment ? Setting.clientSecret.variable : source.setting, detail: source.detail, layer: layer.name) }
        }

        var style = ClientConfiguration.AuthStyle.body
        if let layer = layers.first(where: { $0.text(.authStyle) != nil }), let text = layer.text(.authStyle) {
            guard let given = ClientConfiguration.AuthStyle(rawValue: text.lowercased()) else {
                throw CaspioError(
                    .config, "the auth style '\(text)' (from \(layer.origin(.authStyle))) is not one of: body, basic")
            }
            style = given
        }
        var caFile: String?
        if let layer = layers.first(where: { $0.text(.caFile) != nil }), let path = layer.text(.caFile).map(expandTilde) {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw CaspioError(.config, "cannot read the CA file \(path) (from \(layer.origin(.caFile)))")
            }
            caFile = path
        }
        let cacheSetting = layers.lazy.compactMap { $0.text(.tokenCache) }.first
        let cacheDirectory: String? =
            cacheSetting.map { $0.lowercased() == "off" ? nil : expandTilde($0) } ?? defaultTokenCacheDirectory
        let (perDay, perPeriod) = (value(.maxRequestsPerDay)?.integer, value(.maxRequestsPerPeriod)?.integer)
        if cacheDirectory == nil, perDay != nil || perPeriod != nil {
            throw CaspioError(
                .config,
                "max_requests_per_day and max_requests_per_period are counted by the usage ledger, which lives in the token cache directory, and the token cache is off (CASPIO_TOKEN_CACHE or token_cache)")
        }
        var configuration = ClientConfiguration(
            profile: profileName, baseURL: baseURL, tokenURL: derivedTokenURL, clientID: clientID,
            clientSecret: secret, authStyle: style, caFile: caFile, tokenCacheDirectory: cacheDirectory,
            connectTimeout: value(.connectTimeout)?.number ?? 10, readTimeout: value(.readTimeout)?.number ?? 60,
            maxRequests: value(.maxRequests)?.integer, rate: value(.rate)?.number,
            maxRequestsPerDay: perDay, maxRequestsPerPeriod: perPeriod,
            billingDay: value(.billingDay)?.integer ?? 1,
            billingTimeZone: value(.billingTimeZone)?.string.flatMap(BillingTimeZone.init) ?? .utc, usageDirectory: cacheDirectory,
            scriptName: overrides.scriptName)
        configuration.rateFromAccount = value(.rate)?.string == SettingType.autoRate
        configuration.values = Dictionary(uniqueKeysWithValues: Setting.typed.compactMap { setting in value(setting).map { (setting.name, $0) } })
        var origins: [String: String] = [:]
        for setting in Setting.typed {
            origins[setting.name] = layers.first { $0.values[setting.name] != nil }?.origin(setting)
        }
        // The endpoint is the endpoint layer's, and the token URL derived from it unless given.
        origins[Setting.baseURL.name] = endpointLayer.origin(endpointLayer.baseURL != nil ? .baseURL : .account)
        origins[Setting.tokenURL.name] = layers[...endpointIndex].first { $0.tokenURL != nil }?.origin(.tokenURL) ?? "derived from the base URL"
        if let layer = layers.first(where: { $0.secret != nil }), let source = layer.secret {
            origins[Setting.clientSecret.name] = layer.kind == .profile ? "\(source.setting) in \(layer.name)" : layer.origin(.clientSecret)
        }
        configuration.origins = origins
        configuration.secretOrigin = secretOrigin
        configuration.maxResponseBytes = value(.maxResponseBytes)?.integer ?? ClientConfiguration.defaultMaxResponseBytes
        configuration.principal = nonEmpty(overrides.principal) ?? nonEmpty(environment[Setting.principal.variable])
        return configuration
    }

    /// All that is missing, said at once, with every way out: the variables, a profile, or
    /// the sandbox.
    private func requireEverySetting(in layers: [SettingsLayer], profile: String?) throws(CaspioError) {
        var missing: [(what: String, variable: String, key: String)] = []
        if !requireCredentials, layers.contains(where: \.namesEndpoint) { return }
        if !layers.contains(where: \.namesEndpoint) {
            missing.append((
                "the account", "\(Setting.account.variable) or \(Setting.baseURL.variable)", "\(Setting.account.name) or \(Setting.baseURL.name)"))
        }
        if !layers.contains(where: { $0.clientID != nil }) {
            missing.append(("the client id", Setting.clientID.variable, Setting.clientID.name))
        }
        if !layers.contains(where: { $0.secret != nil }) {
            missing.append((
                "the client secret", Setting.clientSecret.variable,
                "client_secret_file, client_secret_env, client_secret_command or client_secret"
            ))
        }
        guard !missing.isEmpty else { return }
        let head = missing.count == 3 ? "no Caspio account is configured" : "the Caspio account settings are incomplete"
        let list = missing.map { "\($0.what) (\($0.variable))" }
        let listed = list.count == 1 ? list[0] : list.dropLast().joined(separator: ", ") + " and " + (list.last ?? "")
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

    /// An empty variable counts as unset, the secret's included; a malformed number is an error.
    private func environmentLayer() throws(CaspioError) -> SettingsLayer {
        var layer = SettingsLayer(kind: .environment, name: "the environment")
        // A --sandbox's account is the flags' alone: none of the environment's account settings.
        // A profile named on the command line: none of the environment's account settings either.
        let skipped = Set(
            overrides.accountFromOverridesOnly ? Setting.accountSettings.map(\.name)
                : nonEmpty(overrides.profile) != nil ? Setting.profileAccountSettings.map(\.name) : [])
        for setting in Setting.typed where !skipped.contains(setting.name) {
            try layer.read(setting, from: environment)
        }
        if !skipped.contains(Setting.clientSecret.name) {
            layer.secret = nonEmpty(environment[Setting.clientSecret.variable]).map { SecretSource.inline(Secret($0)) }
        }
        return layer
    }

    private func expandTilde(_ path: String) -> String {
        UserDirectories(environment: environment).expandingTilde(path)
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
