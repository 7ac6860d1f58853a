import CSQLite
import Foundation

/// A thin wrapper over one SQLite connection. Not thread-safe by itself: `SandboxStore`
/// serialises every use behind its lock, so one connection (and one in-memory database) serves
/// all requests.
final class SQLiteDatabase {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let handle: OpaquePointer

    /// `path` nil opens a private in-memory database.
    init(path: String?) throws {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path ?? ":memory:", &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw Failure(description: "cannot open \(path ?? ":memory:"): \(message)")
        }
        handle = db
    }

    deinit { sqlite3_close(handle) }

    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertRowID: Int { Int(sqlite3_last_insert_rowid(handle)) }

    /// Runs statements that take no parameters (schema changes, transactions).
    func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(error)
            throw Failure(description: message)
        }
    }

    /// Prepares exactly one statement. Text after the first statement is an error: this is what
    /// makes a client's clause unable to smuggle in a second statement.
    func prepare(_ sql: String) throws -> Statement {
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let trailing: String = try sql.withCString { start in
            guard sqlite3_prepare_v2(handle, start, -1, &statement, &tail) == SQLITE_OK, statement != nil else {
                throw Failure(description: String(cString: sqlite3_errmsg(handle)))
            }
            return tail.map { String(cString: $0) } ?? ""
        }
        let prepared = Statement(statement!, database: handle)
        guard trailing.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw Failure(description: "more than one statement")
        }
        return prepared
    }

    /// What a client's statement may not read beyond the sandbox's bookkeeping: PASSWORD
    /// columns (`table.column`, lower-cased) anywhere, and the sandbox's own tables (`__…`)
    /// other than `own` (a directory's users, read through their own routes).
    final class Hidden {
        let columns: Set<String>
        let own: String

        init(columns: Set<String>, own: String) {
            self.columns = columns
            self.own = own.lowercased()
        }
    }

    /// Prepares a statement that embeds a client's text (q.where, q.select…). While it is
    /// compiled, an authorizer lets it read, update and delete rows of the account's tables
    /// and call functions, and nothing else: no pragmas, no attach, no schema changes, no
    /// access to the sandbox's own tables (`__*`, `sqlite_*`), and no PASSWORD column, even
    /// from a subquery over another table.
    func prepareUntrusted(_ sql: String, hidden: Hidden) throws -> Statement {
        sqlite3_set_authorizer(handle, { context, action, first, second, _, _ in
            func text(_ p: UnsafePointer<CChar>?) -> String { p.map { String(cString: $0) } ?? "" }
            let hidden = Unmanaged<Hidden>.fromOpaque(context!).takeUnretainedValue()
            switch action {
            case SQLITE_SELECT, SQLITE_RECURSIVE:
                return SQLITE_OK
            case SQLITE_FUNCTION:
                return text(second).lowercased() == "load_extension" ? SQLITE_DENY : SQLITE_OK
            case SQLITE_READ, SQLITE_UPDATE, SQLITE_DELETE:
                let table = text(first).lowercased()
                if table.hasPrefix("sqlite_") || (table.hasPrefix("__") && table != hidden.own) { return SQLITE_DENY }
                return action == SQLITE_READ && hidden.columns.contains(table + "." + text(second).lowercased()) ? SQLITE_DENY : SQLITE_OK
            default:
                return SQLITE_DENY
            }
        }, Unmanaged.passUnretained(hidden).toOpaque())
        defer { sqlite3_set_authorizer(handle, nil, nil) }
        return try withExtendedLifetime(hidden) { try prepare(sql) }
    }

    /// Runs one statement with parameters and returns its rows.
    @discardableResult
    func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        return try statement.rows()
    }
}

/// A value as SQLite stores it.
enum SQLValue: Equatable, Sendable {
    case null, integer(Int), real(Double), text(String), blob([UInt8])
}

final class Statement {
    private let statement: OpaquePointer
    private let database: OpaquePointer

    init(_ statement: OpaquePointer, database: OpaquePointer) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    var columnNames: [String] {
        (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
    }

    func bind(_ values: [SQLValue]) throws {
        // SQLITE_TRANSIENT: SQLite copies the bytes, so Swift may free them right after.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(statement, index)
            case .integer(let i): status = sqlite3_bind_int64(statement, index, sqlite3_int64(i))
            case .real(let d): status = sqlite3_bind_double(statement, index, d)
            case .text(let s): status = sqlite3_bind_text(statement, index, s, -1, transient)
            case .blob(let b): status = b.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32(b.count), transient) }
            }
            guard status == SQLITE_OK else { throw SQLiteDatabase.Failure(description: String(cString: sqlite3_errmsg(database))) }
        }
    }

    func rows() throws -> [[SQLValue]] {
        var result: [[SQLValue]] = []
        let count = sqlite3_column_count(statement)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return result }
            guard status == SQLITE_ROW else { throw SQLiteDatabase.Failure(description: String(cString: sqlite3_errmsg(database))) }
            result.append((0..<count).map(column))
        }
    }

    private func column(_ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(Int(sqlite3_column_int64(statement, index)))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }
}
