import Foundation
import NIOConcurrencyHelpers

/// The sandbox's data: tables, their fields and records, and files, in one SQLite database.
/// Field types live in a metadata table, so a `--data` file keeps them across runs.
/// Every operation takes the lock: one connection, used by one request at a time.
final class Store: @unchecked Sendable {
    struct Field {
        var name: String
        var type: String
    }

    static let fieldsTable = "__sandbox_fields"
    static let filesTable = "__sandbox_files"

    private let lock = NIOLock()
    let db: SQLiteDatabase

    init(path: String?) throws {
        db = try SQLiteDatabase(path: path)
        try db.execute("""
            CREATE TABLE IF NOT EXISTS \(Self.fieldsTable) (tbl TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
                ord INTEGER NOT NULL, PRIMARY KEY (tbl, name));
            CREATE TABLE IF NOT EXISTS \(Self.filesTable) (key TEXT PRIMARY KEY, folder TEXT NOT NULL, name TEXT NOT NULL,
                content_type TEXT NOT NULL, data BLOB NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL);
            """)
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T { try lock.withLock(body) }

    // MARK: Tables and fields (call with the lock held)

    func tableNames() throws -> [String] {
        try db.query("SELECT DISTINCT tbl FROM \(Self.fieldsTable) ORDER BY tbl").compactMap {
            if case .text(let name) = $0[0] { name } else { nil }
        }
    }

    /// The table's fields in order; 404 when there is no such table.
    func fields(of table: String) throws -> [Field] {
        guard SQLText.isIdentifier(table) else { throw APIError.notFound("Cannot find table '\(table)'") }
        let rows = try db.query("SELECT name, type FROM \(Self.fieldsTable) WHERE tbl = ? ORDER BY ord", [.text(table)])
        guard !rows.isEmpty else { throw APIError.notFound("Cannot find table '\(table)'") }
        return rows.compactMap { row in
            guard case .text(let name) = row[0], case .text(let type) = row[1] else { return nil }
            return Field(name: name, type: type)
        }
    }

    /// Creates a table with `PK_ID` (AUTONUMBER) first unless the definition names it.
    func createTable(_ name: String, fields: [Field]) throws {
        guard SQLText.isIdentifier(name), !name.hasPrefix("__") else { throw APIError.badBody("Name '\(name)' is not a valid table name") }
        guard try tableNames().first(where: { $0.caseInsensitiveCompare(name) == .orderedSame }) == nil else {
            throw APIError.badBody("A table named '\(name)' already exists")
        }
        var all = fields
        if !all.contains(where: { $0.name.caseInsensitiveCompare("PK_ID") == .orderedSame }) {
            all.insert(Field(name: "PK_ID", type: "AUTONUMBER"), at: 0)
        }
        try validate(all)
        guard all.filter({ $0.type == "AUTONUMBER" }).count == 1 else { throw APIError.badBody("A table has exactly one AUTONUMBER field") }
        let columns = all.map { SQLText.quoted($0.name) + " " + FieldType.sqlDefinition($0.type) }
        try transaction {
            try db.execute("CREATE TABLE \(SQLText.quoted(name)) (\(columns.joined(separator: ", ")))")
            for (index, field) in all.enumerated() { try record(field, table: name, order: index) }
        }
    }

    func addField(_ field: Field, to table: String) throws {
        let existing = try fields(of: table)
        guard !existing.contains(where: { $0.name.caseInsensitiveCompare(field.name) == .orderedSame }) else {
            throw APIError.badBody("A field named '\(field.name)' already exists")
        }
        try validate([field])
        guard field.type != "AUTONUMBER" else { throw APIError.badBody("A table has exactly one AUTONUMBER field") }
        try transaction {
            try db.execute("ALTER TABLE \(SQLText.quoted(table)) ADD COLUMN \(SQLText.quoted(field.name)) \(FieldType.sqlDefinition(field.type))")
            try record(field, table: table, order: existing.count)
        }
    }

    private func validate(_ fields: [Field]) throws(APIError) {
        var seen = Set<String>()
        for field in fields {
            guard SQLText.isIdentifier(field.name) else { throw APIError.badBody("Field name '\(field.name)' is not valid") }
            guard FieldType.known.contains(field.type) else { throw APIError.badBody("Field type '\(field.type)' is not supported") }
            guard seen.insert(field.name.lowercased()).inserted else { throw APIError.badBody("Field '\(field.name)' is defined twice") }
        }
    }

    private func record(_ field: Field, table: String, order: Int) throws {
        try db.query("INSERT INTO \(Self.fieldsTable) (tbl, name, type, ord) VALUES (?, ?, ?, ?)",
                     [.text(table), .text(field.name), .text(field.type), .integer(order)])
    }

    func transaction<T>(_ body: () throws -> T) throws -> T {
        try db.execute("SAVEPOINT sandbox")
        do {
            let result = try body()
            try db.execute("RELEASE sandbox")
            return result
        } catch {
            try? db.execute("ROLLBACK TO sandbox; RELEASE sandbox")
            throw error
        }
    }
}
