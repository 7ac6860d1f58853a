import CaspioClient
import CaspioModule
import CaspioStore
import Foundation
import Logging
import NIOCore
import PostgresNIO
import SQLiteLayer

/// A mirror's `postgres://` target: one connection, its URL read as the store's is. Values
/// go as text of no declared type, so that PostgreSQL reads each as its column's type (a
/// timestamp, a boolean, a numeric) the way SQLite would store it; results come back as
/// SQLite's storage classes, timestamps as Caspio's naive ISO 8601 text.
public final class PostgresTarget: TargetDatabase, @unchecked Sendable {
    public let location: String
    /// nil once closed.
    var connection: PostgresConnection?
    let quiet = Logger(label: "caspio.mirror", factory: { _ in SwiftLogNoOpLogHandler() })

    private init(location: String, connection: PostgresConnection) {
        self.location = location
        self.connection = connection
    }

    deinit { close() }

    /// Connects; every failure is a config error naming the target (never its password).
    public static func open(_ text: String, environment: [String: String], logger: Logger) throws(CaspioError) -> PostgresTarget {
        let (url, configuration) = try PostgresStore.connection(
            to: text, origin: "the mirror's target", role: "the target", environment: environment, logger: logger)
        let quiet = Logger(label: "caspio.mirror", factory: { _ in SwiftLogNoOpLogHandler() })
        do {
            let connection = try blocking { () async throws -> PostgresConnection in
                try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quiet)
            }
            return PostgresTarget(location: url.display, connection: connection)
        } catch {
            throw CaspioError(.config, "cannot open the target \(url.display) (\(url.endpoint)): \(Self.describe(error)); check the URL, that PostgreSQL accepts this host, and its password (PGPASSWORD or ~/.pgpass)")
        }
    }

    public func run(_ sql: String, _ values: [SQLValue]) throws -> (rows: [[SQLValue]], changes: Int) {
        guard let connection else { throw Failure(description: "the connection is closed") }
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .integer(let i): bindings.append(Untyped(text: String(i)))
            case .real(let d): bindings.append(Untyped(text: Self.text(d)))
            case .text(let s): bindings.append(Untyped(text: s))
            case .blob(let b): bindings.append(Untyped(text: "\\x" + b.map { String(format: "%02x", $0) }.joined()))
            }
        }
        let query = PostgresQuery(unsafeSQL: Self.numbered(sql), binds: bindings)
        let logger = quiet
        do {
            let result = try blocking { () async throws -> PostgresQueryResult in
                try await connection.query(query, logger: logger).get()
            }
            return (try result.rows.map(Self.values), result.metadata.rows ?? 0)
        } catch let error as Failure {
            throw error
        } catch {
            throw Failure(description: Self.describe(error))
        }
    }

    public func execute(_ sql: String) throws { _ = try run(sql, []) }

    /// A double as PostgreSQL reads it into any numeric column: whole numbers without a fraction.
    static func text(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }

    public func close() {
        guard let connection else { return }
        self.connection = nil
        try? blocking { () async throws in try await connection.close() }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// SQLite's `?` parameters as PostgreSQL's `$1`, `$2` …, leaving quoted text and names alone.
    static func numbered(_ sql: String) -> String {
        var out = "", quote: Character?, n = 0
        for character in sql {
            if let open = quote {
                if character == open { quote = nil }
                out.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                out.append(character)
            } else if character == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(character)
            }
        }
        return out
    }

    private static func values(_ row: PostgresRow) throws -> [SQLValue] {
        try row.map { cell -> SQLValue in
            guard cell.bytes != nil else { return .null }
            switch cell.dataType {
            case .bool: return .integer(try cell.decode(Bool.self) ? 1 : 0)
            case .int2, .int4, .int8: return .integer(try cell.decode(Int.self))
            case .float4, .float8: return .real(try cell.decode(Double.self))
            case .numeric: return .real(NSDecimalNumber(decimal: try cell.decode(Decimal.self)).doubleValue)
            case .timestamp, .timestamptz, .date: return .text(caspioDate(try cell.decode(Date.self)))
            case .bytea: return .blob(cell.bytes.map { Array($0.readableBytesView) } ?? [])
            default: return .text(try cell.decode(String.self))
            }
        }
    }

    /// A timestamp as Caspio writes one: 2026-11-01T10:30:00 (fractions only when there are).
    static func caspioDate(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        var whole = time_t(seconds.rounded(.down))
        var parts = tm()
        gmtime_r(&whole, &parts)
        let base = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
        let micros = Int(((seconds - seconds.rounded(.down)) * 1_000_000).rounded())
        guard micros > 0 else { return base }
        var fraction = String(format: "%06d", min(micros, 999_999))
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return base + "." + fraction
    }

    /// What PostgreSQL answered (its message and SQLSTATE), or what failed on the way.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            return "\(message) (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))"
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }
}

/// A parameter sent as text of no declared type (OID 0): PostgreSQL infers it from where it is used.
private struct Untyped: PostgresDynamicTypeEncodable {
    let text: String
    var psqlType: PostgresDataType { .null }
    var psqlFormat: PostgresFormat { .text }
    func encode<JSONEncoder: PostgresJSONEncoder>(into byteBuffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        byteBuffer.writeString(text)
    }
}
