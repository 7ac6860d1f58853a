import Foundation

/// A profile as `caspio profile add` writes it: one `[profiles.NAME]` table.
public struct ProfileEntry: Sendable {
    /// Where runs of the profile will find the secret.
    public enum SecretStorage: Sendable {
        /// In the config file itself (`--inline-secret`).
        case inline(Secret)
        case file(String)
        case command(String)
        case environment(String)
    }

    public var account: String?
    public var baseURL: String?
    /// With `account`: `api_version` (a base URL names its version itself).
    public var apiVersion: Int?
    public var tokenURL: String?
    public var clientID: String
    public var secret: SecretStorage
    public var caFile: String?

    public init(
        account: String? = nil, baseURL: String? = nil, apiVersion: Int? = nil, tokenURL: String? = nil, clientID: String,
        secret: SecretStorage, caFile: String? = nil
    ) {
        self.account = account
        self.baseURL = baseURL
        self.apiVersion = apiVersion
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.secret = secret
        self.caFile = caFile
    }

    /// The table's lines, header first.
    func lines(name: String) -> [String] {
        var pairs: [(String, String?)] = [
            (Setting.account.name, account), (Setting.baseURL.name, baseURL), (Setting.tokenURL.name, tokenURL),
            (Setting.clientID.name, clientID),
        ]
        switch secret {
        case .inline(let value): pairs.append(("client_secret", value.reveal()))
        case .file(let path): pairs.append(("client_secret_file", path))
        case .command(let command): pairs.append(("client_secret_command", command))
        case .environment(let name): pairs.append(("client_secret_env", name))
        }
        pairs.append((Setting.caFile.name, caFile))
        var lines = pairs.compactMap { key, value in value.map { "\(key) = \(tomlString($0))" } }
        // A TOML number, as the setting's type reads it, beside the account it goes with.
        if let apiVersion { lines.insert("\(Setting.apiVersion.name) = \(apiVersion)", at: account == nil ? 0 : 1) }
        return ["[profiles.\(name)]"] + lines
    }
}

/// A TOML basic string: quotes, backslashes and control characters escaped.
func tomlString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += String(format: "\\u%04X", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
