import SQLiteLayer

/// One connection to a mirror's target database, used by one thread at a time. Statements
/// take `?` parameters, as SQLite's do; a target whose database numbers them ($1, $2 …)
/// renumbers them itself. A failure's description says what the database answered.
public protocol TargetDatabase: AnyObject {
    /// The database, for messages: a path, or a URL without its password.
    var location: String { get }
    /// Runs one statement with `values` bound to its parameters; returns its rows (none for
    /// a statement that returns none) and the rows it changed.
    func run(_ sql: String, _ values: [SQLValue]) throws -> (rows: [[SQLValue]], changes: Int)
    /// Runs one statement without parameters (schema changes, transactions).
    func execute(_ sql: String) throws
    /// Adds rows to `table` in bulk, the database's fastest way: `values` holds the rows one
    /// after another, `columns.count` values each; a row whose key the table already holds
    /// is skipped. Returns false, having done nothing, when the database has no way faster
    /// than multi-row INSERT statements, which the caller then runs itself. Names are bare.
    func append(into table: String, columns: [String], values: [SQLValue]) throws -> Bool
    func close()
}

extension SQLiteConnection: TargetDatabase {
    public var location: String { path }

    // SQLite in process: a prepared multi-row INSERT costs no round trip, nothing to gain.
    public func append(into table: String, columns: [String], values: [SQLValue]) throws -> Bool { false }
}
