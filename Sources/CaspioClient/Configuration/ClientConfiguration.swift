#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Everything the client needs, resolved from flags, environment, the config file and defaults
/// (see `ConfigurationResolver`).
public struct ClientConfiguration: Sendable {
    public enum AuthStyle: String, Sendable {
        /// client_id and client_secret in the form body (Caspio's documented default).
        case body
        /// HTTP Basic header.
        case basic
    }

    /// The profile name, or nil when no profile was used.
    public var profile: String?
    /// The resource endpoint, e.g. https://c1abc123.caspio.com/integrations/rest/v3.
    public var baseURL: URL
    public var tokenURL: URL
    public var clientID: String
    public var clientSecret: Secret
    public var authStyle: AuthStyle
    /// Extra trusted CA certificates (PEM), added to the system roots.
    public var caFile: String?
    /// Where tokens are cached between runs; nil turns the cache off.
    public var tokenCacheDirectory: String?
    public var connectTimeout: Double
    public var readTimeout: Double
    /// The largest response body kept in memory (`max_response_bytes`).
    public var maxResponseBytes = ClientConfiguration.defaultMaxResponseBytes
    public static let defaultMaxResponseBytes = Setting.maxResponseBytes.defaultValue?.integer ?? 64 << 20
    public var retry: RetryPolicy
    /// The call budget for this run; nil for none.
    public var maxRequests: Int?
    /// Requests per second for the whole run (`--rate`); nil for no pacing.
    public var rate: Double?
    /// `--rate auto`: pace at the account's published limit, learned before the first request
    /// (v4's `GET me`; on v3 `AccountFacts.publishedLimit`).
    public var rateFromAccount = false
    /// Budgets across runs, counted by the usage ledger for the whole account.
    public var maxRequestsPerDay: Int?
    public var maxRequestsPerPeriod: Int?
    /// The day of the month (1-28) on which a billing period starts.
    public var billingDay: Int
    /// The clock of the ledger's days and billing periods: the account's.
    public var billingTimeZone: BillingTimeZone
    /// The usage ledger's directory (the token cache's); nil: nothing is counted across runs.
    public var usageDirectory: String?
    /// What the ledger files this run's requests under: the script's name, set by the CLI.
    public var scriptName: String?
    /// Where the secret came from (for `caspio doctor`); nil when given directly.
    public var secretOrigin: SecretOrigin?
    /// Sent as the `Principal` header of every request (Caspio's HIPAA audit log names the
    /// acting user), unless the request names its own.
    public var principal: String?
    /// Every setting of `Setting.typed` as resolved (a layer's value, else its default), by
    /// name: what `value(_:)` answers for a setting without a field of its own.
    public var values: [String: SettingValue] = [:]
    /// Where each setting given by a layer came from, by name (`CASPIO_RATE in the
    /// environment`, `base_url in profile 'prod' of PATH`); a setting at its default has none.
    public var origins: [String: String] = [:]

    /// The value of `setting` as this configuration holds it.
    public func value(_ setting: Setting) -> SettingValue? {
        switch setting.name {
        case Setting.profile.name: profile.map(SettingValue.text)
        case Setting.baseURL.name: .text(baseURL.absoluteString)
        case Setting.apiVersion.name: .integer(apiVersion)
        case Setting.tokenURL.name: .text(tokenURL.absoluteString)
        case Setting.clientID.name: .text(clientID)
        case Setting.authStyle.name: .text(authStyle.rawValue)
        case Setting.tokenCache.name: .text(tokenCacheDirectory ?? "off")
        case Setting.maxRequests.name: maxRequests.map(SettingValue.integer)
        case Setting.rate.name: rateFromAccount ? .text(SettingType.autoRate) : rate.map(SettingValue.number)
        case Setting.maxRequestsPerDay.name: maxRequestsPerDay.map(SettingValue.integer)
        case Setting.maxRequestsPerPeriod.name: maxRequestsPerPeriod.map(SettingValue.integer)
        case Setting.billingDay.name: .integer(billingDay)
        case Setting.connectTimeout.name: .number(connectTimeout)
        case Setting.readTimeout.name: .number(readTimeout)
        default: values[setting.name]
        }
    }

    /// The REST API version the base URL names (…/rest/v4 → 4, …/rest/v2 → 2), else 3.
    public var apiVersion: Int { Self.apiVersion(of: baseURL) }

    /// The path of REST API `version` on a Caspio host (`/integrations/rest/v4`): what account
    /// ids make base URLs with and messages tell users to end one in. `apiVersion(of:)` reads
    /// it back.
    public static func restPath(_ version: Int) -> String { "/integrations/rest/v\(version)" }

    /// The REST API version `url` names (…/rest/v4 → 4, …/rest/v2 → 2), else 3.
    public static func apiVersion(of url: URL) -> Int {
        switch url.path.split(separator: "/").last.map(String.init) ?? "" {
        case "v4": 4
        case "v2": 2
        default: 3
        }
    }

    /// What `caspio.config` shows: every setting marked for it that has a value. Never a secret.
    public var shown: [(name: String, value: SettingValue)] {
        Setting.all.filter(\.inConfig).compactMap { setting in value(setting).map { (setting.name, $0) } }
    }

    public init(
        profile: String? = nil, baseURL: URL, tokenURL: URL, clientID: String, clientSecret: Secret,
        authStyle: AuthStyle = .body, caFile: String? = nil, tokenCacheDirectory: String? = nil,
        connectTimeout: Double = 10, readTimeout: Double = 60, retry: RetryPolicy = RetryPolicy(),
        maxRequests: Int? = nil, rate: Double? = nil, maxRequestsPerDay: Int? = nil, maxRequestsPerPeriod: Int? = nil,
        billingDay: Int = 1, billingTimeZone: BillingTimeZone = .utc, usageDirectory: String? = nil, scriptName: String? = nil
    ) {
        self.profile = profile
        self.baseURL = baseURL
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.authStyle = authStyle
        self.caFile = caFile
        self.tokenCacheDirectory = tokenCacheDirectory
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.retry = retry
        self.maxRequests = maxRequests
        self.rate = rate
        self.maxRequestsPerDay = maxRequestsPerDay
        self.maxRequestsPerPeriod = maxRequestsPerPeriod
        self.billingDay = billingDay
        self.billingTimeZone = billingTimeZone
        self.usageDirectory = usageDirectory
        self.scriptName = scriptName
    }
}

/// Where the client secret was found, never the secret itself: `client_secret_file` and its
/// path in "profile 'prod' of PATH", or `CASPIO_CLIENT_SECRET` in "the environment".
public struct SecretOrigin: Sendable {
    /// client_secret, client_secret_env, client_secret_file, client_secret_command or CASPIO_CLIENT_SECRET.
    public var setting: String
    /// The file, command or variable name; nil for a secret given inline.
    public var detail: String?
    public var layer: String
}
