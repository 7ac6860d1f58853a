import Foundation
import TOMLKit

/// The config file: named profiles, each a layer of settings.
///
/// ```toml
/// default_profile = "prod"        # used when neither --profile nor CASPIO_PROFILE is set
///
/// [profiles.prod]
/// account = "c1abc123"            # or base_url = "https://…/integrations/rest/v3" (+ token_url)
/// client_id = "…"
/// client_secret_command = "pass show caspio/prod"   # or client_secret, _env, _file
/// ```
struct ConfigFile {
    var defaultProfile: String?
    var profiles: [String: SettingsLayer]

    static let knownKeys: Set<String> = [
        "account", "base_url", "token_url", "client_id", "client_secret", "client_secret_env", "client_secret_file",
        "client_secret_command", "auth_style", "ca_file", "token_cache", "max_requests", "connect_timeout",
        "read_timeout", "max_response_bytes", "rate", "max_requests_per_day", "max_requests_per_period", "billing_day", "store",
        "store_password_env", "store_password_file", "store_password_command",
    ]

    /// nil when the file does not exist; a clear error when it cannot be read or parsed.
    static func load(path: String) throws(CaspioError) -> ConfigFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CaspioError(.config, "cannot read the config file \(path) (check its permissions)")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// The file's profiles from its text; `path` only names it in errors.
    static func parse(_ text: String, path: String) throws(CaspioError) -> ConfigFile {
        let root = try table(text, path: path)
        var file = ConfigFile(defaultProfile: nil, profiles: [:])
        if let value = root["default_profile"] {
            guard let name = value.string else { throw CaspioError(.config, "\(path): default_profile must be a string") }
            file.defaultProfile = name
        }
        for key in root.keys where key != "default_profile" && key != "profiles" {
            throw CaspioError(
                .config, "\(path): unknown top-level key '\(key)' (settings go in a [profiles.NAME] table)")
        }
        guard let profiles = root["profiles"] else { return file }
        guard let table = profiles.table else {
            throw CaspioError(.config, "\(path): 'profiles' must be a table of [profiles.NAME] tables")
        }
        for name in table.keys {
            guard let profile = table[name]?.table else {
                throw CaspioError(.config, "\(path): profiles.\(name) must be a table")
            }
            file.profiles[name] = try layer(profile, name: name, path: path)
        }
        return file
    }

    /// The file's text as a TOML table, or an error naming the line and column.
    static func table(_ text: String, path: String) throws(CaspioError) -> TOMLTable {
        do {
            return try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw CaspioError(
                .config,
                "the config file \(path) is not valid TOML: \(error.description) at line \(error.source.begin.line), column \(error.source.begin.column)")
        } catch {
            throw CaspioError(.config, "the config file \(path) is not valid TOML: \(error)")
        }
    }

    private static func layer(_ table: TOMLTable, name: String, path: String) throws(CaspioError) -> SettingsLayer {
        let origin = "profile '\(name)' of \(path)"
        for key in table.keys where !knownKeys.contains(key) {
            throw CaspioError(
                .config, "\(origin): unknown setting '\(key)' (known: \(knownKeys.sorted().joined(separator: ", ")))")
        }
        func string(_ key: String) throws(CaspioError) -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.string else { throw CaspioError(.config, "\(origin): \(key) must be a string") }
            return text
        }
        func count(_ key: String) throws(CaspioError) -> Int? {
            guard let value = table[key] else { return nil }
            guard let number = value.int, number >= 0 else {
                throw CaspioError(.config, "\(origin): \(key) must be a whole number of requests, 0 or more")
            }
            return number
        }
        func seconds(_ key: String) throws(CaspioError) -> Double? {
            guard let value = table[key] else { return nil }
            guard let number = value.double ?? value.int.map(Double.init),
                ConfigurationResolver.validSeconds(number)
            else {
                throw CaspioError(.config, "\(origin): \(key) must be \(ConfigurationResolver.secondsRange)")
            }
            return number
        }
        let secretKeys = ["client_secret", "client_secret_env", "client_secret_file", "client_secret_command"]
        let given = secretKeys.filter { table[$0] != nil }
        guard given.count <= 1 else {
            throw CaspioError(.config, "\(origin): give only one of \(given.joined(separator: ", "))")
        }
        var secret: SecretSource?
        if let value = try string("client_secret") { secret = .inline(Secret(value)) }
        if let value = try string("client_secret_env") { secret = .environment(value) }
        if let value = try string("client_secret_file") { secret = .file(value) }
        if let value = try string("client_secret_command") { secret = .command(value) }
        var layer = SettingsLayer(
            kind: .profile, name: origin, account: try string("account"), baseURL: try string("base_url"),
            tokenURL: try string("token_url"), clientID: try string("client_id"), secret: secret,
            authStyle: try string("auth_style"), caFile: try string("ca_file"), tokenCache: try string("token_cache"),
            maxRequests: try count("max_requests"), connectTimeout: try seconds("connect_timeout"),
            readTimeout: try seconds("read_timeout"))
        layer.store = try string("store")
        if let value = table["max_response_bytes"] {
            guard let number = value.int, ConfigurationResolver.validByteLimit(number) else {
                throw CaspioError(.config, "\(origin): max_response_bytes must be \(ConfigurationResolver.byteLimitRange)")
            }
            layer.maxResponseBytes = number
        }
        let passwordKeys = ["store_password_env", "store_password_file", "store_password_command"].filter { table[$0] != nil }
        guard passwordKeys.count <= 1 else {
            throw CaspioError(.config, "\(origin): give only one of \(passwordKeys.joined(separator: ", "))")
        }
        if let value = try string("store_password_env") { layer.storePassword = .environment(value) }
        if let value = try string("store_password_file") { layer.storePassword = .file(value) }
        if let value = try string("store_password_command") { layer.storePassword = .command(value) }
        guard table["rate"].map({ $0.double != nil || $0.int != nil }) ?? true else {
            throw CaspioError(.config, "\(origin): rate must be a number of requests per second, e.g. 6")
        }
        guard table["billing_day"].map({ $0.int != nil }) ?? true else {
            throw CaspioError(.config, "\(origin): billing_day must be a day of the month from 1 to 28, e.g. 15")
        }
        layer.usage = try UsageSettings.validated(
            rate: table["rate"].flatMap { $0.double ?? $0.int.map(Double.init) },
            perDay: try count("max_requests_per_day"), perPeriod: try count("max_requests_per_period"),
            billingDay: table["billing_day"]?.int, spelled: { "\($0) in \(origin)" })
        return layer
    }
}
