import Foundation

/// Where tokens, run locks, script state and the usage ledger live: this host's files (the
/// default) or a PostgreSQL database that every host of the account shares.
public struct StoreSetting: Sendable {
    /// The PostgreSQL URL; nil for files.
    public var url: String?
    /// Where the setting came from: "CASPIO_STORE in the environment", "the default".
    public var origin: String
    /// From `store_password_env`, `_file` or `_command`; nil leaves PGPASSWORD and ~/.pgpass.
    public var password: Secret?
    public var passwordOrigin: String?

    public init(url: String?, origin: String) {
        self.url = url
        self.origin = origin
    }

    public var isFile: Bool { url == nil }

    /// The URL as messages show it: a password in it becomes `***` (the rest helps to debug).
    public static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return url }
        let userinfo = rest[..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return url }
        return String(url[..<schemeEnd.upperBound]) + userinfo[..<colon] + ":***" + rest[at...]
    }
}
