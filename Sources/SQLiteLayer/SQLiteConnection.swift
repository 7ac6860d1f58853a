import CSQLite

/// A value as SQL stores it: SQLite's storage classes, to which a PostgreSQL target maps its own.
public enum SQLValue: Equatable, Sendable {
    case null, integer(Int64), real(Double), text(String), blob([UInt8])
}

/// One SQLite connection for one thread at a time, with its prepared statements kept by
/// their text: a mirror runs the same insert for every row.
public final class SQLiteConnection {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    public let path: String

    /// Opens (creating if need be) the database file at `path`.
    public init(path: String) throws(Failure) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close(db) }
            throw Failure(description: "cannot open \(path): \(message)")
        }
        handle = db
        self.path = path
        // Another writer (a reader's own transaction) makes us wait a while, not fail at once.
        sqlite3_busy_timeout(db, 10_000)
    }

    deinit { close() }

    public var isOpen: Bool { handle != nil }

    public func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements = [:]
        if let handle { sqlite3_close(handle) }
        handle = nil
    }

    private func open() throws(Failure) -> OpaquePointer {
        guard let handle else { throw Failure(description: "the database \(path) is closed") }
        return handle
    }

    private func failure(_ db: OpaquePointer) -> Failure {
        Failure(description: String(cString: sqlite3_errmsg(db)))
    }

    private func statement(_ sql: String, _ db: OpaquePointer) throws(Failure) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let status = sql.withCString { sqlite3_prepare_v2(db, $0, -1, &statement, &tail) }
        guard status == SQLITE_OK, let statement else { throw failure(db) }
        statements[sql] = statement
        return statement
    }

    /// Runs statements that take no parameters, several at once (schema changes, transactions).
    public func execute(_ sql: String) throws(Failure) {
        let db = try open()
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(db))
            sqlite3_free(error)
            throw Failure(description: message)
        }
    }

    /// Runs one statement with `values` bound to its parameters; returns its rows (for a
    /// statement that returns none, an empty list) and the rows it changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(Failure) -> (rows: [[SQLValue]], changes: Int) {
        let db = try open()
        let statement = try statement(sql, db)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        // SQLITE_TRANSIENT: SQLite copies the bytes, so Swift may free them right after.
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(statement, index)
            case .integer(let i): status = sqlite3_bind_int64(statement, index, i)
            case .real(let d): status = sqlite3_bind_double(statement, index, d)
            case .text(let s): status = sqlite3_bind_text(statement, index, s, -1, transient)
            case .blob(let b): status = b.withUnsafeBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32(b.count), transient) }
            }
            guard status == SQLITE_OK else { throw failure(db) }
        }
        var rows: [[SQLValue]] = []
        let count = sqlite3_column_count(statement)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw failure(db) }
            rows.append((0..<count).map { column in
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, column))
                case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, column))
                case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, column)))
                case SQLITE_BLOB:
                    let size = Int(sqlite3_column_bytes(statement, column))
                    guard size > 0, let bytes = sqlite3_column_blob(statement, column) else { return .blob([]) }
                    return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: size)))
                default: return .null
                }
            })
        }
        return (rows, Int(sqlite3_changes(db)))
    }
}
