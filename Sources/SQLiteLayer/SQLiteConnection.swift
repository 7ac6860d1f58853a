import CSQLite

/// A value as SQL stores it: SQLite's storage classes, to which a PostgreSQL target maps its own.
public enum SQLValue: Equatable, Sendable {
    case null, integer(Int), real(Double), text(String), blob([UInt8])
}

/// One SQLite connection, for one thread at a time (the sandbox serialises every use behind
/// its store's lock; a mirror runs on the Lua thread). `run` keeps its prepared statements by
/// their text, since a mirror runs the same insert for every row; `prepare` makes one the
/// caller owns.
public final class SQLiteConnection {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(description: String) { self.description = description }
    }

    private var handle: OpaquePointer?
    private var statements: [String: Statement] = [:]
    /// The file, or `:memory:`.
    public let path: String

    /// Opens (creating if need be) the database file at `path`; nil: a private in-memory database.
    public init(path: String?) throws(Failure) {
        let path = path ?? ":memory:"
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
        statements = [:]
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    /// The rows the last statement changed, and the key of the last row inserted.
    public var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }
    public var lastInsertRowID: Int { handle.map { Int(sqlite3_last_insert_rowid($0)) } ?? 0 }

    func open() throws(Failure) -> OpaquePointer {
        guard let handle else { throw Failure(description: "the database \(path) is closed") }
        return handle
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

    /// The bytes of two values (UTF-8, not NUL-terminated) to order: negative, zero or positive.
    public typealias Collation = (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Int

    /// Adds a collation (`x COLLATE name`) to this connection. It lives on the connection
    /// only, never in a file's schema, so other tools still open the file.
    public func createCollation(_ name: String, _ compare: @escaping Collation) throws(Failure) {
        final class Box { let compare: Collation; init(_ compare: @escaping Collation) { self.compare = compare } }
        let db = try open()
        let context = Unmanaged.passRetained(Box(compare)).toOpaque()
        let status = sqlite3_create_collation_v2(db, name, SQLITE_UTF8, context, { context, lengthA, a, lengthB, b in
            let box = Unmanaged<Box>.fromOpaque(context!).takeUnretainedValue()
            let result = box.compare(UnsafeRawBufferPointer(start: a, count: Int(lengthA)), UnsafeRawBufferPointer(start: b, count: Int(lengthB)))
            return result < 0 ? -1 : result > 0 ? 1 : 0
        }, { context in Unmanaged<Box>.fromOpaque(context!).release() })
        guard status == SQLITE_OK else {
            Unmanaged<Box>.fromOpaque(context).release()  // SQLite calls no destructor when it fails
            throw Failure(description: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// Prepares exactly one statement. Text after the first statement is an error: this is what
    /// makes a client's clause unable to smuggle in a second statement.
    public func prepare(_ sql: String) throws(Failure) -> Statement {
        let db = try open()
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let trailing: String? = sql.withCString { start in
            guard sqlite3_prepare_v2(db, start, -1, &statement, &tail) == SQLITE_OK, statement != nil else { return nil }
            return tail.map { String(cString: $0) } ?? ""
        }
        guard let trailing, let statement else { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
        let prepared = Statement(statement, database: db)
        guard trailing.allSatisfy({ $0.isWhitespace }) else { throw Failure(description: "more than one statement") }
        return prepared
    }

    /// What a client's statement may not read beyond the sandbox's bookkeeping: PASSWORD
    /// columns (`table.column`, lower-cased) anywhere, and the sandbox's own tables (`__…`)
    /// other than `own` (a directory's users, read through their own routes).
    public final class Hidden {
        let columns: Set<String>
        let own: String

        public init(columns: Set<String>, own: String) {
            self.columns = columns
            self.own = own.lowercased()
        }
    }

    /// Prepares a statement that embeds a client's text (q.where, q.select…). While it is
    /// compiled, an authorizer lets it read, update and delete rows of the account's tables
    /// and call functions, and nothing else: no pragmas, no attach, no schema changes, no
    /// access to the sandbox's own tables (`__*`, `sqlite_*`), and no PASSWORD column, even
    /// from a subquery over another table.
    public func prepareUntrusted(_ sql: String, hidden: Hidden) throws(Failure) -> Statement {
        let db = try open()
        sqlite3_set_authorizer(db, { context, action, first, second, _, _ in
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
        defer { sqlite3_set_authorizer(db, nil, nil) }
        return try withExtendedLifetime(hidden) { () throws(Failure) -> Statement in try prepare(sql) }
    }

    /// Runs one statement with parameters and returns its rows (prepared for this call alone).
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws(Failure) -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(parameters)
        return try statement.rows()
    }

    /// Runs one statement with `values` bound to its parameters, its preparation kept for the
    /// next run of the same text; returns its rows (for a statement that returns none, an
    /// empty list) and the rows it changed.
    @discardableResult
    public func run(_ sql: String, _ values: [SQLValue] = []) throws(Failure) -> (rows: [[SQLValue]], changes: Int) {
        let statement: Statement
        if let cached = statements[sql] {
            statement = cached
        } else {
            statement = try prepare(sql)
            statements[sql] = statement
        }
        defer { statement.reset() }
        try statement.bind(values)
        return (try statement.rows(), changes)
    }
}

/// One prepared statement, finalized with its object.
public final class Statement {
    private let statement: OpaquePointer
    private let database: OpaquePointer

    init(_ statement: OpaquePointer, database: OpaquePointer) {
        self.statement = statement
        self.database = database
    }

    deinit { sqlite3_finalize(statement) }

    public var columnNames: [String] {
        (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) }
    }

    private var failure: SQLiteConnection.Failure { .init(description: String(cString: sqlite3_errmsg(database))) }

    public func bind(_ values: [SQLValue]) throws(SQLiteConnection.Failure) {
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
            guard status == SQLITE_OK else { throw failure }
        }
    }

    /// Steps to the end, collecting the rows.
    public func rows() throws(SQLiteConnection.Failure) -> [[SQLValue]] {
        var result: [[SQLValue]] = []
        let count = sqlite3_column_count(statement)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { return result }
            guard status == SQLITE_ROW else { throw failure }
            result.append((0..<count).map(column))
        }
    }

    /// Ready to run again, its parameters unbound.
    public func reset() {
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
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
