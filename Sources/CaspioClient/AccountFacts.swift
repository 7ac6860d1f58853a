import Foundation

/// What REST API v4 says of the account and its API profile (`GET /v4/me`,
/// API-V4-NOTES.md "Design, schemas, account"): the profile's name and the rate limit Caspio
/// publishes for it, the one place a client can learn the account's limit. v3 has no such
/// request. Read tolerantly (either casing; numbers as strings), as every v4 answer.
public struct AccountFacts: Sendable, Equatable {
    /// The request, relative to the v4 base URL.
    public static let path = "me"

    public struct RateLimit: Sendable, Equatable {
        public var limit: Int
        public var windowSeconds: Double
        public init(limit: Int, windowSeconds: Double) {
            (self.limit, self.windowSeconds) = (limit, windowSeconds)
        }
        /// Requests per second: the pace of `--rate auto`.
        public var perSecond: Double { Double(limit) / windowSeconds }
        /// "2000 requests per 300 s (6.67 a second)".
        public var text: String {
            "\(limit) requests per \(SettingValue.number(windowSeconds).text) s (\(String(format: "%.2f", perSecond)) a second)"
        }
    }

    /// Caspio's published limit (API-NOTES.md): the pace of `--rate auto` where the account's
    /// own is not known (REST API v3, or a `/me` without one).
    public static let publishedLimit = RateLimit(limit: 2000, windowSeconds: 300)

    public var profileName: String?
    public var accountSubdomain: String?
    public var rateLimit: RateLimit?

    public init(profileName: String? = nil, accountSubdomain: String? = nil, rateLimit: RateLimit? = nil) {
        (self.profileName, self.accountSubdomain, self.rateLimit) = (profileName, accountSubdomain, rateLimit)
    }

    /// The facts of a `/me` answer's body; nil when it is no JSON object.
    public init?(body: [UInt8]) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else { return nil }
        profileName = Self.field(object, "wsProfileName").flatMap(Self.text)
        accountSubdomain = Self.field(object, "accountSubdomain").flatMap(Self.text)
        if let limit = Self.field(object, "rateLimit") as? [String: Any],
            let requests = Self.field(limit, "limit").flatMap(Self.number), let window = Self.field(limit, "windowSeconds").flatMap(Self.number),
            requests >= 1, window > 0, requests == requests.rounded()
        {
            rateLimit = RateLimit(limit: Int(requests), windowSeconds: window)
        }
    }

    /// For `caspio auth` and `caspio doctor`.
    public var summary: String {
        let profile = profileName.map { "API profile '\($0)'" } ?? "API profile (unnamed)"
        let account = accountSubdomain.map { " on account \($0)" } ?? ""
        let limit = rateLimit.map { "rate limit \($0.text)" } ?? "no rate limit published"
        return "\(profile)\(account), \(limit)"
    }

    private static func field(_ object: [String: Any], _ name: String) -> Any? {
        object[name] ?? object[name.prefix(1).uppercased() + name.dropFirst()]
    }

    private static func text(_ value: Any) -> String? { value as? String }

    private static func number(_ value: Any) -> Double? {
        if let string = value as? String { return Double(string) }
        return (value as? NSNumber)?.doubleValue
    }
}
