#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
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

    /// Every key a profile may hold, from the settings' descriptions.
    static var knownKeys: Set<String> { Setting.profileKeys }

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
        let given = Setting.clientSecret.profileKeys.filter { table[$0] != nil }
        guard given.count <= 1 else {
            throw CaspioError(.config, "\(origin): give only one of \(given.joined(separator: ", "))")
        }
        var secret: SecretSource?
        if let value = try string("client_secret") { secret = .inline(Secret(value)) }
        if let value = try string("client_secret_env") { secret = .environment(value) }
        if let value = try string("client_secret_file") { secret = .file(value) }
        if let value = try string("client_secret_command") { secret = .command(value) }
        var layer = SettingsLayer(kind: .profile, name: origin)
        layer.secret = secret
        for setting in Setting.typed {
            guard let value = table[setting.name] else { continue }
            let typed = setting.type.isText
                ? value.string.map(SettingValue.text) : setting.type.value(integer: value.int, double: value.double, string: value.string)
            guard let typed else { throw CaspioError(.config, "\(origin): \(setting.key) must be \(setting.type.expected)") }
            try layer.set(setting, typed)
        }
        let passwordKeys = Setting.storePassword.profileKeys.filter { table[$0] != nil }
        guard passwordKeys.count <= 1 else {
            throw CaspioError(.config, "\(origin): give only one of \(passwordKeys.joined(separator: ", "))")
        }
        if let value = try string("store_password_env") { layer.storePassword = .environment(value) }
        if let value = try string("store_password_file") { layer.storePassword = .file(value) }
        if let value = try string("store_password_command") { layer.storePassword = .command(value) }
        return layer
    }
}
