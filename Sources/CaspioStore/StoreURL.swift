import CaspioClient
import Foundation

/// A `postgres://` store URL, read the way libpq reads one (PGHOST, PGPORT, PGUSER and
/// PGDATABASE fill in what it leaves out). Every problem names what is wrong.
public struct StoreURL: Sendable, Equatable {
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// A host name or address; nil when connecting through a unix socket.
    public var host: String?
    /// The unix socket's directory (`?host=/run/postgresql`, or a PGHOST starting with /).
    public var socketDirectory: String?
    public var port: Int
    public var user: String
    public var database: String
    public var sslMode: SSLMode
    public var sslRootCert: String?
    public var connectTimeout: Double
    /// A password written in the URL (discouraged, accepted); never shown.
    public var password: Secret?
    /// The URL as messages show it: without the password.
    public var display: String

    /// `host:port` or the socket path, for "cannot connect to …".
    public var endpoint: String {
        if let socketDirectory { return "unix socket \(socketDirectory)/.s.PGSQL.\(port)" }
        return "\(host ?? "localhost") port \(port)"
    }

    static let knownParameters = ["sslmode", "host", "port", "user", "dbname", "connect_timeout", "sslrootcert"]

    /// `role`: what the URL is, for messages ("the store URL", "the mirror's target").
    public static func parse(
        _ text: String, origin: String, role: String = "the store URL", environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(CaspioError) -> StoreURL {
        let shown = StoreSetting.redacted(text)
        func bad(_ what: String) -> CaspioError {
            CaspioError(.config, "\(role) \(shown) (from \(origin)) \(what); write it as postgres://USER@HOST:PORT/DATABASE?sslmode=require")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "postgres" || scheme == "postgresql"
        else { throw bad("is not a URL that starts with postgres://") }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard knownParameters.contains(item.name) else {
                throw bad("has the parameter '\(item.name)', which caspio does not know (known: \(knownParameters.joined(separator: ", ")))")
            }
            query[item.name] = item.value ?? ""
        }
        let hostText = nonEmpty(query["host"]) ?? nonEmpty(components.host) ?? nonEmpty(environment["PGHOST"]) ?? "/var/run/postgresql"
        let portText = nonEmpty(query["port"]) ?? components.port.map(String.init) ?? nonEmpty(environment["PGPORT"]) ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else { throw bad("has the port '\(portText)', which is not a number from 1 to 65535") }
        let sslText = nonEmpty(query["sslmode"]) ?? nonEmpty(environment["PGSSLMODE"]) ?? "prefer"
        guard let sslMode = SSLMode(rawValue: sslText) else {
            throw bad("has sslmode=\(sslText), which is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var timeout = 10.0
        if let text = query["connect_timeout"] {
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else { throw bad("has connect_timeout=\(text), which is not a number of seconds from 1 to 3600") }
            timeout = seconds
        }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        guard !path.contains("/") else { throw bad("has the path '/\(path)'; it should be only the database's name") }
        let user = nonEmpty(query["user"]) ?? nonEmpty(components.user) ?? nonEmpty(environment["PGUSER"]) ?? NSUserName()
        let database = nonEmpty(query["dbname"]) ?? nonEmpty(path) ?? nonEmpty(environment["PGDATABASE"]) ?? user
        let isSocket = hostText.hasPrefix("/")
        if isSocket, sslMode == .require || sslMode == .verifyCA || sslMode == .verifyFull {
            throw bad("asks for sslmode=\(sslMode.rawValue) over a unix socket, which has no TLS")
        }
        return StoreURL(
            host: isSocket ? nil : hostText.trimmingCharacters(in: CharacterSet(charactersIn: "[]")),
            socketDirectory: isSocket ? hostText : nil, port: port, user: user, database: database, sslMode: sslMode,
            sslRootCert: nonEmpty(query["sslrootcert"]), connectTimeout: timeout,
            password: components.password.flatMap(nonEmpty).map(Secret.init), display: shown)
    }
}

func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
}
