import Foundation
import NIOConcurrencyHelpers
import SQLiteLayer

/// The sandbox's data in one SQLite database: tables with their fields and records, views,
/// files and folders, and the account's other objects (webhooks, tasks, applications,
/// directories). Field types live in a metadata table, so a `--data` file keeps them across
/// runs. It knows nothing of HTTP: it takes values and throws `StoreError`.
/// Every operation takes the lock: one connection, used by one request at a time.
final class Store: @unchecked Sendable {
    struct Field {
        var name: String
        var type: String
        var unique = false
        var label: String? = nil
        var description: String? = nil
        /// A TIMESTAMP field's options (openapi-v3.json FieldModel `OnInsert`, `OnUpdate`,
        /// `TimeZone`): stamped with the time when a row is inserted, when it is changed, in
        /// that time zone (nil: UTC). Other types have neither.
        var stamp = Stamp()

        struct Stamp: Equatable {
            var onInsert = false
            var onUpdate = false
            var timeZone: String? = nil
        }

        init(name: String, type: String, unique: Bool = false, label: String? = nil, description: String? = nil, stamp: Stamp = Stamp()) {
            self.name = name
            self.type = type
            self.unique = unique
            self.label = label
            self.description = description
            self.stamp = stamp
        }
    }

    static let fieldsTable = "__sandbox_fields"
    static let filesTable = "__sandbox_files"
    static let objectsTable = "__sandbox_objects"
    static let attachmentsTable = "__sandbox_attachments"

    private let lock = NIOLock()
    let db: SQLiteConnection
    /// What time it is for TIMESTAMP fields (the sandbox's `SandboxClock`), so tests run in virtual time.
    let clock: @Sendable () -> Date

    init(path: String?, clock: @escaping @Sendable () -> Date) throws {
        db = try SQLiteConnection(path: path)
        self.clock = clock
        try db.createCollation(CaspioDate.collation, CaspioDate.compare)
        try db.createCollation(ViewKey.collation, ViewKey.compare)
        // The T-SQL checksums clauses may call (V4Choices.checksumFunctions).
        try db.defineChecksumFunctions()
        try db.execute("""
            CREATE TABLE IF NOT EXISTS \(Self.fieldsTable) (tbl TEXT NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
                ord INTEGER NOT NULL, PRIMARY KEY (tbl, name));
            CREATE TABLE IF NOT EXISTS \(Self.filesTable) (key TEXT PRIMARY KEY, folder TEXT NOT NULL, name TEXT NOT NULL,
                content_type TEXT NOT NULL, data BLOB NOT NULL, created TEXT NOT NULL, modified TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS \(Self.objectsTable) (kind TEXT NOT NULL, id TEXT NOT NULL, parent TEXT NOT NULL,
                ord INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (kind, id));
            CREATE TABLE IF NOT EXISTS \(Self.attachmentsTable) (tbl TEXT NOT NULL, field TEXT NOT NULL, row INTEGER NOT NULL,
                name TEXT NOT NULL, content_type TEXT NOT NULL, data BLOB NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL,
                PRIMARY KEY (tbl, field, row));
            """)
        // A --data file from an older sandbox lacks the field settings column: add it.
        try? db.execute("ALTER TABLE \(Self.fieldsTable) ADD COLUMN meta TEXT NOT NULL DEFAULT '{}'")
    }

    func locked<T>(_ body: () throws -> T) rethrows -> T { try lock.withLock(body) }

    // MARK: Tables and fields (call with the lock held)

    /// The account's tables; the sandbox's own (`__…`, e.g. directory users) are not listed.
    func tableNames() throws -> [String] {
        try db.query("SELECT DISTINCT tbl FROM \(Self.fieldsTable) WHERE tbl NOT LIKE '\\_\\_%' ESCAPE '\\' ORDER BY tbl").compactMap {
            if case .text(let name) = $0[0] { name } else { nil }
        }
    }

    /// The table's fields in order; not found when there is no such table.
    func fields(of table: String) throws -> [Field] {
        guard SQLText.isIdentifier(table) else { throw StoreError.notFound("Cannot find table '\(table)'") }
        let rows = try db.query("SELECT name, type, meta FROM \(Self.fieldsTable) WHERE tbl = ? ORDER BY ord", [.text(table)])
        guard !rows.isEmpty else { throw StoreError.notFound("Cannot find table '\(table)'") }
        return rows.compactMap { row in
            guard case .text(let name) = row[0], case .text(let type) = row[1] else { return nil }
            let meta: JSON = if case .text(let m) = row[2] { JSON.parse(Array(m.utf8)) ?? .object([]) } else { .object([]) }
            // Fields of an older --data file have no settings: their AUTONUMBER is unique.
            let unique = meta["Unique"]?.bool ?? (type == "AUTONUMBER")
            // Their TIMESTAMP fields were stamped on insert, and stay so.
            let stamp = Field.Stamp(onInsert: meta["OnInsert"]?.bool ?? (type == "TIMESTAMP"), onUpdate: meta["OnUpdate"]?.bool ?? false,
                                    timeZone: meta["TimeZone"]?.string)
            return Field(name: name, type: type, unique: unique, label: meta["Label"]?.string, description: meta["Description"]?.string, stamp: stamp)
        }
    }

    func field(_ name: String, of table: String) throws -> Field {
        guard let field = try fields(of: table).first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw StoreError.notFound("Cannot find field '\(name)' in '\(table)'")
        }
        return field
    }

    /// Creates a table with `PK_ID` (AUTONUMBER) first unless the definition names it;
    /// `internal` tables (`__…`, e.g. a directory's users) are the sandbox's own.
    func createTable(_ name: String, fields: [Field], `internal`: Bool = false) throws {
        guard SQLText.isIdentifier(name), name.hasPrefix("__") == `internal` else {
            throw StoreError.invalid("Name '\(name)' is not a valid table name")
        }
        guard try !exists(name) else { throw StoreError.invalid("A table or view named '\(name)' already exists") }
        var all = fields
        if !all.contains(where: { $0.name.caseInsensitiveCompare("PK_ID") == .orderedSame }) {
            all.insert(Field(name: "PK_ID", type: "AUTONUMBER", unique: true), at: 0)
        }
        try validate(all)
        guard all.filter({ $0.type == "AUTONUMBER" }).count == 1 else { throw StoreError.invalid("A table has exactly one AUTONUMBER field") }
        let columns = all.map { SQLText.quoted($0.name) + " " + FieldType.sqlDefinition($0.type) }
        try transaction {
            try db.execute("CREATE TABLE \(SQLText.quoted(name)) (\(columns.joined(separator: ", ")))")
            for (index, field) in all.enumerated() { try record(field, table: name, order: index) }
        }
    }

    /// A table, a view, or anything else SQLite holds under that name (case-insensitive).
    func exists(_ name: String) throws -> Bool {
        !(try db.query("SELECT 1 FROM sqlite_master WHERE name = ? COLLATE NOCASE", [.text(name)])).isEmpty
    }

    /// Adds a field; existing rows get generated values for GUID and RANDOM ID fields.
    func addField(_ field: Field, to table: String) throws {
        let existing = try fields(of: table)
        guard !existing.contains(where: { $0.name.caseInsensitiveCompare(field.name) == .orderedSame }) else {
            throw StoreError.invalid("A field named '\(field.name)' already exists")
        }
        try validate([field])
        guard field.type != "AUTONUMBER" else { throw StoreError.invalid("A table has exactly one AUTONUMBER field") }
        try transaction {
            try db.execute("ALTER TABLE \(SQLText.quoted(table)) ADD COLUMN \(SQLText.quoted(field.name)) \(FieldType.sqlDefinition(field.type))")
            if let generator = Self.generator(field.type) {
                for row in try db.query("SELECT rowid FROM \(SQLText.quoted(table))") {
                    try db.query("UPDATE \(SQLText.quoted(table)) SET \(SQLText.quoted(field.name)) = ? WHERE rowid = ?", [.text(generator()), row[0]])
                }
            }
            try record(field, table: table, order: existing.count)
        }
    }

    /// Renames a field (the views over the table follow) and changes its label, description,
    /// uniqueness and stamp options; its type stays.
    func updateField(_ name: String, of table: String, to new: Field) throws {
        let old = try field(name, of: table)
        guard new.type == old.type else { throw StoreError.invalid("The type of '\(old.name)' cannot be changed from \(old.type) to \(new.type)") }
        guard old.type != "AUTONUMBER" || new.name == old.name else { throw StoreError.invalid("The AUTONUMBER field cannot be renamed") }
        if new.name.caseInsensitiveCompare(old.name) != .orderedSame, try fields(of: table).contains(where: { $0.name.caseInsensitiveCompare(new.name) == .orderedSame }) {
            throw StoreError.invalid("A field named '\(new.name)' already exists")
        }
        try validate([new])
        try transaction {
            try dropUniqueIndex(table, old.name)
            if new.name != old.name {
                try db.execute("ALTER TABLE \(SQLText.quoted(table)) RENAME COLUMN \(SQLText.quoted(old.name)) TO \(SQLText.quoted(new.name))")
                try renameViewFields(of: table, from: old.name, to: new.name)
            }
            try db.query("UPDATE \(Self.fieldsTable) SET name = ?, meta = ? WHERE tbl = ? AND name = ?",
                         [.text(new.name), .text(Self.meta(new).encoded), .text(table), .text(old.name)])
            if new.unique && new.type != "AUTONUMBER" { try createUniqueIndex(table, new.name) }
        }
    }

    func deleteField(_ name: String, of table: String) throws {
        let old = try field(name, of: table)
        guard old.type != "AUTONUMBER" else { throw StoreError.invalid("The AUTONUMBER field '\(old.name)' cannot be deleted") }
        let views = try viewsUsing(old.name, of: table)
        guard views.isEmpty else {
            let list = views.map { "'\($0)'" }.joined(separator: ", ")
            throw StoreError.conflict("The field '\(old.name)' cannot be deleted: the view\(views.count == 1 ? "" : "s") \(list) use\(views.count == 1 ? "s" : "") it. Remove it from the view\(views.count == 1 ? "" : "s") first")
        }
        try transaction {
            try dropUniqueIndex(table, old.name)
            try db.execute("ALTER TABLE \(SQLText.quoted(table)) DROP COLUMN \(SQLText.quoted(old.name))")
            try db.query("DELETE FROM \(Self.fieldsTable) WHERE tbl = ? AND name = ?", [.text(table), .text(old.name)])
        }
    }

    /// The views over `table` whose definition names `field` (shown, joined or filtered on).
    func viewsUsing(_ field: String, of table: String) throws -> [String] {
        try objects("view").compactMap { id, body -> String? in
            guard (body["Tables"]?.strings ?? []).contains(where: { $0.caseInsensitiveCompare(table) == .orderedSame }) else { return nil }
            let rows = try db.query("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ? COLLATE NOCASE", [.text(id)])
            guard case .text(let sql)? = rows.first?.first else { return nil }
            let named = SQLText.words(in: sql.replacingOccurrences(of: "\"", with: " ")).contains { $0.caseInsensitiveCompare(field) == .orderedSame }
            return named ? (body["Name"]?.string ?? id) : nil
        }
    }

    /// Values for generated fields: a GUID, or an 8-character random id as Caspio makes them.
    static func generator(_ type: String) -> (() -> String)? {
        switch type {
        case "GUID": { UUID().uuidString.lowercased() }
        case "RANDOM ID": { String((0..<8).map { _ in "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".randomElement()! }) }
        default: nil
        }
    }

    private func validate(_ fields: [Field]) throws(StoreError) {
        var seen = Set<String>()
        for field in fields {
            guard SQLText.isIdentifier(field.name) else { throw StoreError.invalid("Field name '\(field.name)' is not valid") }
            guard FieldType.known.contains(field.type) else { throw StoreError.invalid("Field type '\(field.type)' is not supported") }
            guard seen.insert(field.name.lowercased()).inserted else { throw StoreError.invalid("Field '\(field.name)' is defined twice") }
            if FieldType.mustBeUnique.contains(field.type), !field.unique {
                throw StoreError.invalid("Field '\(field.name)' of type \(field.type) must be created with Unique set to true")
            }
            if field.unique, ["FILE", "PASSWORD", "YES/NO"].contains(field.type) || FieldType.isList(field.type) {
                throw StoreError.invalid("Field '\(field.name)' of type \(field.type) cannot be unique")
            }
            try FieldType.checkStamp(field)
        }
    }

    private static func meta(_ field: Field) -> JSON {
        .object([("Unique", .bool(field.unique)), ("Label", field.label.map(JSON.string) ?? .null), ("Description", field.description.map(JSON.string) ?? .null),
                 ("OnInsert", .bool(field.stamp.onInsert)), ("OnUpdate", .bool(field.stamp.onUpdate)), ("TimeZone", field.stamp.timeZone.map(JSON.string) ?? .null)])
    }

    private func record(_ field: Field, table: String, order: Int) throws {
        try db.query("INSERT INTO \(Self.fieldsTable) (tbl, name, type, ord, meta) VALUES (?, ?, ?, ?, ?)",
                     [.text(table), .text(field.name), .text(field.type), .integer(order), .text(Self.meta(field).encoded)])
        if field.unique && field.type != "AUTONUMBER" { try createUniqueIndex(table, field.name) }
    }

    private func createUniqueIndex(_ table: String, _ field: String) throws {
        do {
            try db.execute("CREATE UNIQUE INDEX \(SQLText.quoted("__u_\(table)_\(field)")) ON \(SQLText.quoted(table)) (\(SQLText.quoted(field)))")
        } catch { throw StoreError.invalid("'\(field)' cannot be made unique: its values repeat") }
    }

    private func dropUniqueIndex(_ table: String, _ field: String) throws {
        try db.execute("DROP INDEX IF EXISTS \(SQLText.quoted("__u_\(table)_\(field)"))")
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
