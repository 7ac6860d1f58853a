import Foundation
import SQLiteLayer

/// Records over SQLite (API-NOTES.md, "Records"), for tables and views alike: a `Source` is a
/// subquery exposing only what the API may see (never a PASSWORD field) plus a hidden `__key`
/// (the base table's rowid), and the client's clauses are embedded into one SELECT over it
/// that must prepare as a single statement, so `q.where` behaves like SQL and can never add a
/// second statement. Writes find the matching keys that way, then change rows by rowid.
/// Call with the store's lock held.
extension Store {
    static let maxRows = 1000

    /// What a GET asks for, already parsed by the routes.
    struct RecordQuery {
        var select: String? = nil
        var filter: String? = nil
        var groupBy: String? = nil
        var orderBy: String? = nil
        var limit = 100
        var offset = 0
        var countTotal = false
        /// Seeds a shuffle of results that have no `orderBy` (nil: key order).
        var shuffleSeed: UInt64? = nil
        /// How messages name the parameters: `q.` on v2/v3, nothing on v4.
        var prefix = "q."
    }

    struct Source {
        var name: String
        /// The fields the API sees, in order.
        var fields: [Field]
        /// `SELECT __key, <fields> FROM …`.
        var inner: String
        /// The table writes go to and how source field names map to its fields; nil: read-only.
        var baseTable: String?
        var baseField: (String) -> String = { $0 }
        /// The table's PASSWORD fields, which no clause may name.
        var hidden: [String] = []
        /// How each field (lower-cased name) compares in clauses (`FieldType.collation`).
        var collations: [String: String] = [:]

        func collation(_ field: Field) -> String? { collations[field.name.lowercased()] }
    }

    func tableSource(_ table: String) throws -> Source {
        let all = try fields(of: table)
        let visible = all.filter { $0.type != "PASSWORD" }
        var source = Source(name: table, fields: visible, inner: "", baseTable: table, hidden: all.filter { $0.type == "PASSWORD" }.map(\.name))
        source.collations = Self.collations(visible)
        source.inner = "SELECT \((["rowid AS __key"] + visible.map { Self.column($0.name, source.collation($0)) }).joined(separator: ", ")) FROM \(SQLText.quoted(table))"
        return source
    }

    static func collations(_ fields: [Field]) -> [String: String] {
        Dictionary(fields.compactMap { field in FieldType.collation(field.type).map { (field.name.lowercased(), $0) } }, uniquingKeysWith: { a, _ in a })
    }

    /// A source's column as clauses see it: `"Joined" COLLATE CASPIO_DATE AS "Joined"`.
    static func column(_ name: String, _ collation: String?) -> String {
        collation.map { "\(SQLText.quoted(name)) COLLATE \($0) AS \(SQLText.quoted(name))" } ?? SQLText.quoted(name)
    }

    func readRecords(_ source: Source, _ query: RecordQuery) throws -> (rows: [JSON], total: Int?) {
        try checkHidden(source, [query.select, query.filter, query.groupBy, query.orderBy])
        var sql = "SELECT \(try selectList(query.select, source.fields, parameter: query.prefix + "select")) FROM (\(source.inner)) AS \(SQLText.quoted(source.name))"
        sql += try whereSQL(query.filter, source, parameter: query.prefix + "where")
        if let group = nonEmpty(query.groupBy) {
            try SQLText.checkFragment(group, parameter: query.prefix + "groupBy")
            sql += " GROUP BY \(group)"
        }
        let counted = sql
        let shuffled = nonEmpty(query.orderBy) == nil && query.shuffleSeed != nil
        if let order = nonEmpty(query.orderBy) {
            try SQLText.checkFragment(order, parameter: query.prefix + "orderBy")
            sql += " ORDER BY \(order)"
            // Ties of q.orderBy come in no set order either: SQL Server's follow its plan.
            if let seed = query.shuffleSeed, query.groupBy == nil { sql += ", " + Self.tieBreak(seed) }
        } else if query.groupBy == nil {
            sql += " ORDER BY __key"
        }
        // A shuffle needs every row first; Caspio's unordered pages are drawn from the whole set.
        if !shuffled { sql += " LIMIT \(query.limit) OFFSET \(query.offset)" }
        let statement = try prepareClient(sql, source)
        let names = statement.columnNames
        let types = Dictionary(source.fields.map { ($0.name.lowercased(), $0.type) }, uniquingKeysWith: { a, _ in a })
        var rows = try run { try statement.rows() }.map { row in
            JSON.object(zip(names, row).filter { $0.0 != "__key" }.map { name, value in (name, FieldType.json(value, type: types[name.lowercased()] ?? "")) })
        }
        if shuffled, let seed = query.shuffleSeed {
            var random = SplitMix64(seed: seed)
            rows.shuffle(using: &random)
            rows = Array(rows.dropFirst(query.offset).prefix(query.limit))
        }
        guard query.countTotal else { return (rows, nil) }
        let total = try run { try prepareClient("SELECT COUNT(*) FROM (\(counted))", source).rows() }
        guard case .integer(let count)? = total.first?.first else { throw StoreError.sql("cannot count rows") }
        return (rows, count)
    }

    /// An order of rows by key drawn from `seed`: `__key` through a bijection mod a prime.
    static func tieBreak(_ seed: UInt64) -> String {
        let prime: UInt64 = 2_147_483_629
        return "(__key * \(seed % (prime - 1) + 1) + \((seed >> 32) % prime)) % \(prime)"
    }

    /// Inserts one row through the source; returns it as the source shows it (nil when a
    /// view's filter leaves it out).
    @discardableResult
    func insertRecord(_ source: Source, body: JSON, trusted: Bool = false) throws -> JSON? {
        let table = try writable(source)
        try insertRow(body, into: table, fields: try fields(of: table), source, trusted: trusted)
        return try rows(source, keys: [db.lastInsertRowID]).first
    }

    /// Inserts rows one at a time as `insertRecord` does (a seed's, a test's), the table's
    /// design read once for all of them; returns nothing.
    func insertRecords(_ source: Source, bodies: [JSON], trusted: Bool = false) throws {
        guard !bodies.isEmpty else { return }
        let table = try writable(source)
        let fields = try fields(of: table)
        for body in bodies { try insertRow(body, into: table, fields: fields, source, trusted: trusted) }
    }

    private func insertRow(_ body: JSON, into table: String, fields: [Field], _ source: Source, trusted: Bool) throws {
        var values = try assignments(body, fields, source, inserting: true, trusted: trusted)
        for field in fields where !values.contains(where: { $0.0 == field.name }) {
            if let generate = Self.generator(field.type) { values.append((field.name, .text(generate()))) }
            if field.type == "TIMESTAMP", field.stamp.onInsert { values.append((field.name, stampValue(field))) }
        }
        let sql = values.isEmpty
            ? "INSERT INTO \(SQLText.quoted(table)) DEFAULT VALUES"
            : "INSERT INTO \(SQLText.quoted(table)) (\(values.map { SQLText.quoted($0.0) }.joined(separator: ", "))) VALUES (\(values.map { _ in "?" }.joined(separator: ", ")))"
        try run { try db.query(sql, values.map(\.1)) }
    }

    /// Updates the rows that match `filter`; returns them as changed.
    func updateRecords(_ source: Source, filter: String?, body: JSON, parameter: String = "q.where") throws -> [JSON] {
        let table = try writable(source)
        let values = try assignments(body, try fields(of: table), source, inserting: false, trusted: false)
        guard !values.isEmpty else { throw StoreError.invalid("the body names no field to change") }
        return try transaction {
            let keys = try matchingKeys(source, filter, parameter: parameter)
            try setValues(table, values, keys: keys)
            return try rows(source, keys: keys)
        }
    }

    /// Deletes the rows that match `filter`; returns them as they were, for webhooks.
    func deleteRecords(_ source: Source, filter: String?, parameter: String = "q.where") throws -> [JSON] {
        let table = try writable(source)
        return try transaction {
            let keys = try matchingKeys(source, filter, parameter: parameter)
            let gone = try rows(source, keys: keys)
            try byKeys(keys) { marks, values in try db.query("DELETE FROM \(SQLText.quoted(table)) WHERE rowid IN (\(marks))", values) }
            return gone
        }
    }

    /// Sets values on rows by key, bypassing the API's rules (password and attachment endpoints),
    /// and stamps the table's TIMESTAMP fields stamped on update: every change of a row does
    /// (`stamp: false` only for a seed file's rows, whose stamps the file gives).
    func setValues(_ table: String, _ values: [(String, SQLValue)], keys: [Int], stamp: Bool = true) throws {
        guard !keys.isEmpty else { return }
        var values = values
        for field in try fields(of: table) where stamp && field.type == "TIMESTAMP" && field.stamp.onUpdate && !values.contains(where: { $0.0 == field.name }) {
            values.append((field.name, stampValue(field)))
        }
        let set = values.map { "\(SQLText.quoted($0.0)) = ?" }.joined(separator: ", ")
        try byKeys(keys) { marks, ids in _ = try run { try db.query("UPDATE \(SQLText.quoted(table)) SET \(set) WHERE rowid IN (\(marks))", values.map(\.1) + ids) } }
    }

    /// The base rowids of the source's rows that match a required `filter`.
    func matchingKeys(_ source: Source, _ filter: String?, parameter: String = "q.where") throws -> [Int] {
        guard nonEmpty(filter) != nil else { throw StoreError.badQuery("\(parameter) is required") }
        try checkHidden(source, [filter])
        let statement = try prepareClient("SELECT __key FROM (\(source.inner)) AS \(SQLText.quoted(source.name))\(try whereSQL(filter, source, parameter: parameter))", source)
        return try run { try statement.rows() }.compactMap { if case .integer(let id) = $0[0] { id } else { nil } }
    }

    func rows(_ source: Source, keys: [Int]) throws -> [JSON] {
        guard !keys.isEmpty else { return [] }
        var result: [JSON] = []
        try byKeys(keys) { marks, values in
            let list = source.fields.map { SQLText.quoted($0.name) }.joined(separator: ", ")
            result += try db.query("SELECT \(list) FROM (\(source.inner)) WHERE __key IN (\(marks)) ORDER BY __key", values)
                .map { row in .object(zip(source.fields, row).map { ($0.name, FieldType.json($1, type: $0.type)) }) }
        }
        return result
    }

    // MARK: Pieces

    /// Now, in the TIMESTAMP field's time zone.
    func stampValue(_ field: Field) -> SQLValue {
        .text(CaspioDate.text(clock(), zone: field.stamp.timeZone))
    }

    /// Runs `body` over keys in chunks that stay under SQLite's limit on bound values.
    private func byKeys(_ keys: [Int], _ body: (String, [SQLValue]) throws -> Void) throws {
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + 500, keys.count)]
            try body(chunk.map { _ in "?" }.joined(separator: ", "), chunk.map { .integer($0) })
            start += 500
        }
    }

    private func writable(_ source: Source) throws(StoreError) -> String {
        guard let table = source.baseTable else {
            throw StoreError.readOnly("The view '\(source.name)' is made of several tables and cannot be written to")
        }
        return table
    }

    func checkHidden(_ source: Source, _ clauses: [String?]) throws(StoreError) {
        guard !source.hidden.isEmpty else { return }
        for clause in clauses.compactMap({ $0 }) {
            for word in SQLText.words(in: clause) where source.hidden.contains(where: { $0.caseInsensitiveCompare(word) == .orderedSame }) {
                throw StoreError.badQuery("'\(word)' is a password field: it cannot be selected, filtered, grouped or sorted on")
            }
        }
    }

    func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    private func selectList(_ select: String?, _ fields: [Field], parameter: String) throws(StoreError) -> String {
        guard let select = nonEmpty(select) else { return fields.map { SQLText.quoted($0.name) }.joined(separator: ", ") }
        try SQLText.checkFragment(select, parameter: parameter)
        return select
    }

    /// The clause as SQL, after the checks: one expression, and every text literal compared
    /// with a DATE/TIME or TIMESTAMP field a date, as SQL Server converts it (else its error,
    /// 400 SqlServerError); the source's collations then compare the two as moments.
    func whereSQL(_ clause: String?, _ source: Source, parameter: String) throws(StoreError) -> String {
        guard let clause = nonEmpty(clause) else { return "" }
        try SQLText.checkFragment(clause, parameter: parameter)
        let dates = Dictionary(source.fields.filter { FieldType.isDate($0.type) }.map { ($0.name.lowercased(), $0.name) }, uniquingKeysWith: { a, _ in a })
        if !dates.isEmpty, let (field, literal) = SQLText.comparedLiterals(in: clause, fields: dates).first(where: { CaspioDate.literal($0.literal) == nil }) {
            throw StoreError.sql("\(parameter): conversion failed when converting date and/or time from character string: '\(literal)' compared with the date field '\(field)'. Write dates as ISO 8601 text, e.g. '2024-01-05' or '2024-01-05T15:17:10'")
        }
        // Parenthesised, so that the clause is one expression and cannot swallow what follows.
        return " WHERE (\(clause))"
    }

    /// Field values from a body: a JSON object naming the source's fields, none generated; a
    /// PASSWORD field only on insert (it changes through its own endpoint).
    private func assignments(_ body: JSON, _ fields: [Field], _ source: Source, inserting: Bool, trusted: Bool) throws(StoreError) -> [(String, SQLValue)] {
        guard case .object(let pairs) = body else { throw StoreError.invalid("the body must be a JSON object") }
        var result: [(String, SQLValue)] = []
        for (key, value) in pairs {
            let name = source.baseField(key)
            guard let field = fields.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }),
                field.type != "PASSWORD" || source.baseTable == source.name
            else { throw StoreError.invalid("field '\(key)' does not exist") }
            if !trusted {
                guard !FieldType.generated.contains(field.type) else { throw StoreError.invalid("field '\(field.name)' is a \(field.type) field and cannot be set") }
                guard field.type != "PASSWORD" || inserting else {
                    throw StoreError.invalid("'\(field.name)' is a password field: change it through passwordFields")
                }
            }
            if trusted, FieldType.isList(field.type), case .object = value { result.append((field.name, .text(value.encoded))); continue }
            result.append((field.name, try FieldType.sql(value, field: field.name, type: field.type)))
        }
        return result
    }

    /// Prepares a statement that embeds client text: any failure is the client's.
    func prepareClient(_ sql: String, _ source: Source) throws -> Statement {
        let passwords = try db.query("SELECT tbl, name FROM \(Self.fieldsTable) WHERE type = 'PASSWORD'").compactMap { row -> String? in
            guard case .text(let table) = row[0], case .text(let name) = row[1] else { return nil }
            return (table + "." + name).lowercased()
        }
        let hidden = SQLiteConnection.Hidden(columns: Set(passwords), own: source.baseTable ?? "")
        do { return try db.prepareUntrusted(sql, hidden: hidden) } catch { throw StoreError.sql("\(error)") }
    }

    /// Runs a step whose failures (constraints, type errors) are the client's.
    func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SQLiteConnection.Failure { throw StoreError.sql(error.description) }
    }
}
