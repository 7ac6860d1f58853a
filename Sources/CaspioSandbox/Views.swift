import Foundation

/// Views, defined in a seed as a query over tables: `{"Name", "Tables": [t1, t2…], "Join": "…",
/// "Where": "…", "Fields": ["t1.Field", …]}`. Each is an SQLite VIEW whose fields are named
/// `Table_Field`, whose `PK_ID` is the string of its source rows' PK_IDs joined by commas, and
/// whose hidden `__key` is the first table's rowid (writes use it when there is one table).
/// Call with the store's lock held.
extension Store {
    struct ViewDefinition {
        var name: String
        var tables: [String]
        var join: String?
        var filter: String?
        var fields: [String]
        var note: String?
    }

    func viewNames() throws -> [String] { try objects("view").map(\.id) }

    func createView(_ view: ViewDefinition) throws {
        guard SQLText.isIdentifier(view.name), !view.name.hasPrefix("__") else { throw StoreError.invalid("'\(view.name)' is not a valid view name") }
        guard try !exists(view.name) else { throw StoreError.invalid("A table or view named '\(view.name)' already exists") }
        guard !view.tables.isEmpty, view.tables.count == 1 || view.join != nil else { throw StoreError.invalid("a view needs its tables, and a Join for several") }
        var columns: [JSON] = [], select: [String] = []
        for reference in view.fields {
            let parts = reference.split(separator: ".").map(String.init)
            guard parts.count == 2, let table = view.tables.first(where: { $0.caseInsensitiveCompare(parts[0]) == .orderedSame }) else {
                throw StoreError.invalid("view \(view.name): '\(reference)' is not Table.Field of one of its tables")
            }
            let field = try field(parts[1], of: table)
            guard field.type != "PASSWORD" else { throw StoreError.invalid("view \(view.name): a password field cannot be shown") }
            let name = "\(table)_\(field.name)"
            select.append("\(SQLText.quoted(table)).\(SQLText.quoted(field.name)) AS \(SQLText.quoted(name))")
            columns.append(.object([("Name", .string(name)), ("Table", .string(table)), ("Field", .string(field.name)), ("Type", .string(field.type))]))
        }
        let quoted = view.tables.map(SQLText.quoted)
        let key = view.tables.count == 1 ? "\(quoted[0]).rowid" : "\(quoted[0]).rowid * 1048576 + \(quoted[1]).rowid"
        // Each table's rowid, so that an attachment shown by the view can be found in its table.
        let keys = zip(view.tables, quoted).map { "\($1).rowid AS \(SQLText.quoted("__key_" + $0))" }.joined(separator: ", ")
        let pk = quoted.map { "CAST(\($0).\"PK_ID\" AS TEXT)" }.joined(separator: " || ',' || ")
        var sql = "CREATE VIEW \(SQLText.quoted(view.name)) AS SELECT \(key) AS __key, \(pk) AS \"PK_ID\", \(keys), \(select.joined(separator: ", ")) FROM \(quoted[0])"
        for table in quoted.dropFirst() { sql += " JOIN \(table) ON (\(view.join!))" }
        if let filter = view.filter { sql += " WHERE (\(filter))" }
        try transaction {
            do { try db.execute(sql) } catch { throw StoreError.invalid("view \(view.name): \(error)") }
            try putObject("view", view.name, .object([
                ("Name", .string(view.name)), ("Tables", .array(view.tables.map(JSON.string))), ("Note", view.note.map(JSON.string) ?? .null),
                ("Fields", .array(columns)),
            ]))
        }
    }

    /// After `table`'s field `old` became `new` (SQLite has rewritten the views' references to
    /// it, in fields, joins and filters): each view showing it names it `Table_New`.
    func renameViewFields(of table: String, from old: String, to new: String) throws {
        for (id, body) in try objects("view") {
            var aliases: [(String, String)] = []
            let columns = (body["Fields"]?.array ?? []).map { column -> JSON in
                guard let owner = column["Table"]?.string, owner.caseInsensitiveCompare(table) == .orderedSame,
                    column["Field"]?.string?.caseInsensitiveCompare(old) == .orderedSame, let alias = column["Name"]?.string
                else { return column }
                aliases.append((alias, "\(owner)_\(new)"))
                return column.setting("Name", .string("\(owner)_\(new)")).setting("Field", .string(new))
            }
            guard !aliases.isEmpty else { continue }
            let rows = try db.query("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = ?", [.text(id)])
            guard case .text(var sql)? = rows.first?.first else { continue }
            // The aliases are the sandbox's own, quoted as it wrote them.
            for (from, to) in aliases { sql = sql.replacingOccurrences(of: "AS \(SQLText.quoted(from))", with: "AS \(SQLText.quoted(to))") }
            try db.execute("DROP VIEW \(SQLText.quoted(id))")
            try db.execute(sql)
            try putObject("view", id, body.setting("Fields", .array(columns)))
        }
    }

    /// The view's fields, `PK_ID` (a string) first; each with the stamp options of the table
    /// field it shows, as they are now.
    func viewFields(_ name: String) throws -> [(field: Field, source: String)] {
        let definition = try object("view", name, what: "view")
        let columns = definition["Fields"]?.array ?? []
        // Each table's fields read once, not once a column (this runs on every view request).
        var fieldsOf: [String: [Field]] = [:]
        return [(Field(name: "PK_ID", type: "STRING"), "")] + columns.map { column in
            let (table, name) = (column["Table"]?.string ?? "", column["Field"]?.string ?? "")
            if fieldsOf[table] == nil { fieldsOf[table] = (try? fields(of: table)) ?? [] }
            let stamp = fieldsOf[table]?.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.stamp ?? Field.Stamp()
            return (Field(name: column["Name"]?.string ?? "", type: column["Type"]?.string ?? "STRING", stamp: stamp), "\(table).\(name)")
        }
    }

    func viewSource(_ name: String) throws -> Source {
        let definition = try object("view", name, what: "view")
        let viewName = definition["Name"]?.string ?? name
        let tables = definition["Tables"]?.strings ?? []
        let fields = try viewFields(viewName).map(\.field)
        var source = Source(name: viewName, fields: fields, inner: "")
        source.collations = Self.collations(fields)
        source.collations["pk_id"] = ViewKey.collation
        source.inner = "SELECT \((["__key"] + fields.map { Self.column($0.name, source.collation($0)) }).joined(separator: ", ")) FROM \(SQLText.quoted(viewName))"
        if tables.count == 1 {
            // One table: writable, `Table_Field` in a body is the table's `Field`.
            let prefix = tables[0] + "_"
            source.baseTable = tables[0]
            source.baseField = { $0.lowercased().hasPrefix(prefix.lowercased()) ? String($0.dropFirst(prefix.count)) : $0 }
        }
        return source
    }
}

/// How a view's PK_ID (its tables' PK_IDs joined by commas, text) compares and sorts in
/// clauses: number by number, as a table's PK_ID does, so `9` comes before `10` and `2,9`
/// before `2,10`. Text that is not such a list sorts after every key, by its bytes.
enum ViewKey {
    static let collation = "CASPIO_VIEW_KEY"

    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        switch (numbers(a), numbers(b)) {
        case let (x?, y?): x.lexicographicallyPrecedes(y) ? -1 : y.lexicographicallyPrecedes(x) ? 1 : 0
        case (.some, nil): -1
        case (nil, .some): 1
        case (nil, nil): a.lexicographicallyPrecedes(b) ? -1 : b.lexicographicallyPrecedes(a) ? 1 : 0
        }
    }

    private static func numbers(_ text: UnsafeRawBufferPointer) -> [Int]? {
        var numbers: [Int] = [], value = 0, digits = 0
        for byte in text {
            if byte == UInt8(ascii: ","), digits > 0 {
                numbers.append(value)
                (value, digits) = (0, 0)
            } else if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte), digits < 18 {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        return numbers + [value]
    }
}
