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
    func close()
}

extension SQLiteConnection: TargetDatabase {
    public var location: String { path }
}
