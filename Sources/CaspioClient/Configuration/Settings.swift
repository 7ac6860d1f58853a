import Foundation

/// One setting, described once: how each layer spells it (profile key, environment variable,
/// flag), its type and range, its default and one line of docs. The config file's known keys,
/// the environment and flag layers, `caspio.config`, `caspio profile show` and the settings
/// table of docs/lua-api.md all come from `Setting.all`.
///
/// Adding a setting read from a profile and the environment is one entry in `all` (and, where
/// it is used, `configuration.value(.name)`); a flag also needs its `@Option` in the CLI's
/// ConnectionOptions and a line in `ConfigurationOverrides.flagValues`.
public struct Setting: Sendable {
    /// The profile key (when `profileKeys` is not empty) and `caspio.config`'s field.
    public let name: String
    /// Keys of the config file; several for a secret's sources, none for `profile`.
    public let profileKeys: [String]
    /// The environment variable (`CASPIO_` and the name in capitals unless said otherwise).
    public let variable: String
    public let flags: [String]
    public let type: SettingType
    public let defaultValue: SettingValue?
    /// The docs table's meaning, without the default (added from `defaultValue`).
    public let docs: String
    /// Shown by `caspio.config` (never a secret).
    public let inConfig: Bool

    init(
        _ name: String, keys: [String]? = nil, variable: String? = nil, flags: [String] = [], type: SettingType = .text,
        default defaultValue: SettingValue? = nil, config inConfig: Bool = false, _ docs: String
    ) {
        self.name = name
        self.profileKeys = keys ?? [name]
        self.variable = variable ?? "CASPIO_" + name.uppercased()
        self.flags = flags
        self.type = type
        self.defaultValue = defaultValue
        self.docs = docs
        self.inConfig = inConfig
    }

    /// A flag's help: `text` and the variable that gives the same setting.
    public func help(_ text: String) -> String { "\(text) (\(variable))." }

    /// The setting as a profile names it, for messages.
    var key: String { name }
    var flag: String? { flags.first }

    public static let profile = Setting(
        "profile", keys: [], flags: ["--profile"], config: true, "the profile to use (else the file's `default_profile`, else none)")
    public static let config = Setting(
        "config", keys: [],
        "the config file (default `$XDG_CONFIG_HOME/caspio/config.toml`, else `~/.config/caspio/config.toml`)")
    public static let account = Setting(
        "account", flags: ["--account"],
        "account id (`c1abc123`): base URL `https://c1abc123.caspio.com/integrations/rest/v3`, token URL `…/oauth/token`")
    public static let baseURL = Setting(
        "base_url", flags: ["--base-url"], config: true,
        "the resource endpoint (v4, v3 or v2), for custom integration domains; https (plain http only on loopback)")
    public static let apiVersion = Setting(
        "api_version", type: .apiVersion, default: .integer(3),
        "with `account`: the REST API version it speaks, `3` or `4` (`2` for accounts still on it): `4` makes the base URL `https://c1abc123.caspio.com/integrations/rest/v4`. A `base_url` names its version itself (`…/rest/v4`); an `api_version` that disagrees with it is an error")
    public static let tokenURL = Setting(
        "token_url", flags: ["--token-url"], config: true, "the token endpoint (default: `/oauth/token` on the base URL's host)")
    public static let clientID = Setting("client_id", config: true, "the Web Services profile's client id")
    public static let clientSecret = Setting(
        "client_secret", keys: ["client_secret", "client_secret_env", "client_secret_file", "client_secret_command"], type: .secret,
        "its secret (see below)")
    public static let authStyle = Setting(
        "auth_style", default: .text("body"), config: true, "`body` (id and secret in the form) or `basic` (HTTP Basic)")
    public static let caFile = Setting(
        "ca_file", flags: ["--ca-file"], "extra trusted CA certificates (PEM), e.g. for a TLS-inspecting proxy")
    public static let tokenCache = Setting(
        "token_cache", flags: ["--token-cache"], config: true,
        "token cache directory, or `off` (default `$XDG_CACHE_HOME/caspio/tokens`, else `~/.cache/caspio/tokens`)")
    public static let store = Setting(
        "store", flags: ["--store"],
        "where tokens, `--lock`, `caspio.state` and the usage ledger live: `file` (default: this host's files, as above) or a PostgreSQL URL `postgres://USER@HOST[:PORT]/DB[?sslmode=…]` shared by several hosts (see the README's \"Running on several hosts\"); parameters `sslmode` (`disable`, `prefer` (default), `require`, `verify-ca`, `verify-full`), `sslrootcert`, `host` (a unix socket directory), `port`, `connect_timeout`")
    public static let storePassword = Setting(
        "store_password", keys: ["store_password_env", "store_password_file", "store_password_command"], variable: "PGPASSWORD, PGPASSFILE",
        type: .secret,
        "the store's password: a password in the URL, else the profile's `store_password_*` source (as for the client secret), else `PGPASSWORD`, else `~/.pgpass` (libpq's format, mode 600); never logged. `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGSSLMODE` fill in what the URL leaves out")
    public static let maxRequests = Setting(
        "max_requests", flags: ["--max-requests"], type: .count, config: true,
        "request budget: request N+1 raises a `budget` error instead of being sent")
    public static let rate = Setting(
        "rate", flags: ["--rate"], type: .rate, config: true,
        "requests per second for the whole run (a float, e.g. `6`): every request, `caspio.map` tasks and token requests included, waits for its turn; or `auto`: the account's published limit, from REST API v4's `GET me` once per run (one request), and on v3, which publishes none, Caspio's published 2,000 requests per 300 s; off by default")
    public static let maxRequestsPerDay = Setting(
        "max_requests_per_day", flags: ["--max-requests-per-day"], type: .count, config: true,
        "budget across runs: the account's requests today (by `billing_time_zone`), every run and profile counted by the usage ledger; the request that would exceed it raises a `budget` error")
    public static let maxRequestsPerPeriod = Setting(
        "max_requests_per_period", flags: ["--max-requests-per-period"], type: .count, config: true, "the same for the billing period")
    public static let billingDay = Setting(
        "billing_day", type: .dayOfMonth, default: .integer(1), config: true, "the day of the month (1-28) a billing period starts")
    public static let billingTimeZone = Setting(
        "billing_time_zone", flags: ["--billing-time-zone"], type: .timeZone, default: .text("UTC"), config: true,
        "the account's clock, by which the usage ledger counts days and billing periods as Caspio does: an IANA zone (`America/Los_Angeles`) or a fixed offset (`-07:00`). Caspio's usage log shows the account's, e.g. `Log date (UTC-07:00)`")
    public static let maxResponseBytes = Setting(
        "max_response_bytes", type: .bytes, default: .integer(64 << 20), config: true,
        "the largest response body kept in memory, in bytes (a larger one is an `http` error naming this limit; downloads with `save_to` stream to disk and have none)")
    public static let connectTimeout = Setting("connect_timeout", type: .seconds, default: .number(10), "seconds to connect")
    public static let readTimeout = Setting("read_timeout", type: .seconds, default: .number(60), "seconds without a byte from the server")
    public static let timeout = Setting(
        "timeout", keys: [], flags: ["--timeout"], type: .wait,
        "seconds before the whole run stops with a `timeout` error (exit 124); off by default")
    public static let lockWait = Setting(
        "lock_wait", keys: [], flags: ["--lock-wait"], type: .wait, default: .number(0),
        "seconds to wait for `--lock` before giving up with exit 75")
    public static let principal = Setting(
        "principal", keys: [], flags: ["--principal"], "the acting user every request names in Caspio's audit log (`Principal: NAME`)")
    public static let logLevel = Setting(
        "log_level", keys: [], flags: ["--log-level", "-v"], default: .text("warning"),
        "`trace`, `debug`, `info`, `notice`, `warning`, `error`; `-v` means `debug`")
    public static let logFormat = Setting(
        "log_format", keys: [], flags: ["--log-format"], default: .text("text"), "`text` or `json` (one JSON object a line)")

    /// Every setting, in the docs' order.
    public static let all: [Setting] = [
        profile, config, account, baseURL, apiVersion, tokenURL, clientID, clientSecret, authStyle, caFile, tokenCache, store, storePassword,
        maxRequests, rate, maxRequestsPerDay, maxRequestsPerPeriod, billingDay, billingTimeZone, connectTimeout, readTimeout,
        maxResponseBytes, timeout, lockWait,
        principal, logLevel, logFormat,
    ]

    /// The settings that name the account and how to reach it: a `--sandbox` replaces them
    /// all, whatever the environment says.
    public static let accountSettings: [Setting] = [profile, account, baseURL, apiVersion, tokenURL, clientID, clientSecret, authStyle, caFile, tokenCache]

    /// What names the account and how to reach it: a profile named on the command line takes
    /// these from the profile alone, whatever the environment holds (say, `caspio sandbox`'s
    /// exports left in a shell).
    public static let profileAccountSettings: [Setting] = [account, baseURL, apiVersion, tokenURL, clientID, clientSecret, authStyle, caFile]

    /// Every key a profile may hold.
    static let profileKeys = Set(all.flatMap(\.profileKeys))

    /// The settings each layer reads by type (a secret's sources are read on their own).
    static let typed = all.filter { $0.type != .secret && !$0.profileKeys.isEmpty }

    /// The table of docs/lua-api.md, one row a setting.
    public static var markdownTable: String {
        func code(_ names: [String]) -> String { names.map { "`\($0)`" }.joined(separator: ", ") }
        var lines = ["| environment | flag | profile key | meaning |", "| --- | --- | --- | --- |"]
        for setting in all {
            let variables = setting.variable.components(separatedBy: ", ")
            var meaning = setting.docs
            if let value = setting.defaultValue { meaning += " (default \(value.text))" }
            let cells = [code(variables), code(setting.flags), code(setting.profileKeys), meaning]
            lines.append("|" + cells.map { $0.isEmpty ? " " : " \($0) " }.joined(separator: "|") + "|")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// What a setting holds, and the checks every layer applies to it.
public enum SettingType: Sendable, Equatable {
    case text
    /// Read from one of several sources, never shown.
    case secret
    /// A whole number of requests, 0 or more.
    case count
    /// A size in bytes, from 1 KiB to 4 GiB.
    case bytes
    /// Seconds above 0, at most a day.
    case seconds
    /// Seconds, 0 or more (a wait that may be none).
    case wait
    /// Requests per second, or `auto` (SettingType.autoRate).
    case rate
    /// A day of the month that every month has.
    case dayOfMonth
    /// An IANA time zone or a fixed offset (BillingTimeZone).
    case timeZone
    /// A REST API version Caspio serves: 2, 3 or 4.
    case apiVersion

    /// The rate that means "the account's published limit".
    public static let autoRate = "auto"

    /// Held as text (checked, for a zone).
    var isText: Bool { self == .text || self == .secret || self == .timeZone }

    /// What a value must be, for a value of the wrong type in a profile.
    var expected: String {
        switch self {
        case .text, .secret: "a string"
        case .count: "a whole number of requests, 0 or more"
        case .bytes: "a whole number of bytes from 1024 to 4294967296, e.g. 67108864 (64 MB)"
        case .seconds: "a number of seconds above 0 and at most 86400"
        case .wait: "a number of seconds, 0 or more"
        case .rate: "a number of requests per second, e.g. 6, or \"\(Self.autoRate)\""
        case .dayOfMonth: "a day of the month from 1 to 28, e.g. 15"
        case .timeZone: "a string naming a time zone: \(BillingTimeZone.expected)"
        case .apiVersion: "3 or 4 (2 for accounts still on REST API v2)"
        }
    }

    /// Checks a number; the error says what is wrong after "`setting` = value".
    public func checked(_ value: SettingValue) -> String? {
        switch self {
        case .text, .secret: return nil
        case .count: return (value.integer ?? -1) >= 0 ? nil : "must be a whole number of requests, 0 or more"
        case .bytes: return (1024...(1 << 32)).contains(value.integer ?? 0) ? nil : "must be a whole number of bytes from 1024 to 4294967296, e.g. 67108864 (64 MB)"
        case .seconds:
            let seconds = value.number ?? 0
            return seconds.isFinite && seconds > 0 && seconds <= 86400 ? nil : "must be a number of seconds above 0 and at most 86400"
        case .wait:
            let seconds = value.number ?? -1
            return seconds.isFinite && seconds >= 0 ? nil : "must be a number of seconds, 0 or more"
        case .rate:
            if value.string == Self.autoRate { return nil }
            let rate = value.number ?? 0
            return rate.isFinite && rate > 0 && rate <= 10_000
                ? nil
                : "is not a rate: give requests per second above 0 and at most 10000, e.g. 6 (Caspio's published limit is 2,000 requests per 300 s), or \(Self.autoRate) to pace at the account's"
        case .dayOfMonth: return (1...28).contains(value.integer ?? 0) ? nil : "must be a day of the month from 1 to 28"
        case .timeZone: return value.string.flatMap(BillingTimeZone.init) != nil ? nil : "is not a time zone: \(BillingTimeZone.expected)"
        case .apiVersion: return (2...4).contains(value.integer ?? 0) ? nil : "is not a REST API version: give 3 or 4 (2 for accounts still on REST API v2)"
        }
    }

    /// The value of `text` (a variable's), nil when it is not one of this type.
    func parse(_ text: String) -> SettingValue? {
        if self == .text || self == .secret { return .text(text) }
        let text = text.trimmingCharacters(in: .whitespaces)
        if self == .rate, text == Self.autoRate { return .text(text) }
        switch self {
        case .text, .secret, .timeZone: return .text(text)
        case .count, .bytes, .dayOfMonth, .apiVersion: return Int(text).map(SettingValue.integer)
        case .seconds, .wait, .rate: return Double(text).map(SettingValue.number)
        }
    }

    /// A number as the type holds it: a count from a whole Double is refused, as TOML's `1.0`
    /// is no count.
    func value(integer: Int?, double: Double?, string: String? = nil) -> SettingValue? {
        if self == .rate, string == Self.autoRate { return .text(Self.autoRate) }
        switch self {
        case .text, .secret, .timeZone: return nil
        case .count, .bytes, .dayOfMonth, .apiVersion: return integer.map(SettingValue.integer)
        case .seconds, .wait, .rate: return (double ?? integer.map(Double.init)).map(SettingValue.number)
        }
    }
}

/// A setting's value, as its type holds it.
public enum SettingValue: Sendable, Equatable {
    case text(String)
    case integer(Int)
    case number(Double)

    public var string: String? { if case .text(let text) = self { text } else { nil } }
    public var integer: Int? { if case .integer(let value) = self { value } else { nil } }
    public var number: Double? {
        switch self {
        case .number(let value): value
        case .integer(let value): Double(value)
        case .text: nil
        }
    }

    /// As messages and docs show it.
    public var text: String {
        switch self {
        case .text(let text): text
        case .integer(let value): String(value)
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        }
    }
}

extension SettingsLayer {
    /// How this layer names `setting` in an error about its value: `--rate`, `CASPIO_RATE`,
    /// `rate in profile 'p' of PATH`.
    func spelled(_ setting: Setting) -> String {
        switch kind {
        case .flags: setting.flag ?? setting.key
        case .environment: setting.variable
        case .profile: "\(setting.key) in \(name)"
        }
    }

    /// Sets `setting` from `environment`, if its variable is set (an empty one counts as unset).
    mutating func read(_ setting: Setting, from environment: [String: String]) throws(CaspioError) {
        let variable = setting.variable
        guard let text = nonEmpty(environment[variable]) else { return }
        guard let value = setting.type.parse(text) else {
            // What the setting takes, from its type (`auto` or a number, for the rate).
            throw CaspioError(.config, "\(variable)='\(text)' is not \(setting.type.expected)")
        }
        try set(setting, value, text: text)
    }

    /// Sets `setting` to `value` after its type's check; `text` is what a variable held.
    mutating func set(_ setting: Setting, _ value: SettingValue?, text: String? = nil) throws(CaspioError) {
        guard let value else { return }
        if let problem = setting.type.checked(value) {
            let shown = switch value {
            case .number(let number): "\(number)"
            case .text(let text): "'\(text)'"
            case .integer: value.text
            }
            throw CaspioError(.config, "\(spelled(setting)) = \(shown) \(problem)\(text.map { " (the variable is '\($0)')" } ?? "")")
        }
        values[setting.name] = value
    }
}

extension Setting {
    /// This setting from the flag's value, else the environment, else its default, checked as
    /// every layer checks it: for a setting of the command alone (a run's timeout, its wait for
    /// the lock), which no client resolves.
    public func resolved(flag: SettingValue?, environment: [String: String]) throws(CaspioError) -> SettingValue? {
        var flags = SettingsLayer(kind: .flags, name: "the command line")
        try flags.set(self, flag)
        if let value = flags.values[name] { return value }
        var variables = SettingsLayer(kind: .environment, name: "the environment")
        try variables.read(self, from: environment)
        return variables.values[name] ?? defaultValue
    }
}
