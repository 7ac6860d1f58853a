/// The records API (API-NOTES.md, "Records") over SQLite: the client's clauses are embedded
/// into one SELECT/UPDATE/DELETE that must prepare as a single statement, so `q.where` behaves
/// like SQL and can never add a second statement. Call with the store's lock held.
extension Store {
    static let defaultLimit = 100
    static let maxRows = 1000

    func getRecords(_ table: String, query: [String: String]) throws -> JSON {
        let fields = try fields(of: table)
        let source = SQLText.quoted(table)
        var sql = "SELECT \(try selectList(query["q.select"], fields)) FROM \(source)"
        sql += try whereSQL(query["q.where"])
        if let group = nonEmpty(query["q.groupBy"]) {
            try SQLText.checkFragment(group, parameter: "q.groupBy")
            sql += " GROUP BY \(group)"
        }
        let counted = sql
        // Without q.orderBy rows come in PK_ID order, so that paging is stable by default.
        if let order = nonEmpty(query["q.orderBy"]) {
            try SQLText.checkFragment(order, parameter: "q.orderBy")
            sql += " ORDER BY \(order)"
        } else if query["q.groupBy"] == nil {
            sql += " ORDER BY \(source).rowid"
        }
        let page = try paging(query)
        sql += " LIMIT \(page.size) OFFSET \(page.offset)"
        let statement = try prepareClient(sql)
        let names = statement.columnNames
        let types = Dictionary(fields.map { ($0.name.lowercased(), $0.type) }, uniquingKeysWith: { a, _ in a })
        let rows = try run { try statement.rows() }.map { row in
            JSON.object(zip(names, row).map { name, value in (name, FieldType.json(value, type: types[name.lowercased()] ?? "")) })
        }
        var body: [(String, JSON)] = [("Result", .array(rows))]
        if page.paged, query["q.getPaginationInfo"]?.lowercased() == "true" {
            let counter = try prepareClient("SELECT COUNT(*) FROM (\(counted))")
            let total = try run { try counter.rows() }
            guard case .integer(let count)? = total.first?.first else { throw APIError.sql("cannot count rows") }
            body.append(("Pagination", .object([
                ("TotalCount", .int(count)), ("PageNumber", .int(page.number)), ("PageSize", .int(page.size)),
            ])))
        }
        return .object(body)
    }

    /// Inserts one row; returns it as stored (with its PK_ID) for `response=rows`.
    func insertRecord(_ table: String, body: JSON) throws -> JSON {
        let fields = try fields(of: table)
        let values = try assignments(body, fields)
        let sql = values.isEmpty
            ? "INSERT INTO \(SQLText.quoted(table)) DEFAULT VALUES"
            : "INSERT INTO \(SQLText.quoted(table)) (\(values.map { SQLText.quoted($0.0) }.joined(separator: ", "))) VALUES (\(values.map { _ in "?" }.joined(separator: ", ")))"
        try run { try db.query(sql, values.map(\.1)) }
        return try rows(table, fields, rowIDs: [db.lastInsertRowID])[0]
    }

    /// Updates the rows that match `q.where`; returns how many and, for `response=rows`, which.
    func updateRecords(_ table: String, query: [String: String], body: JSON) throws -> (Int, [JSON]) {
        let fields = try fields(of: table)
        let condition = try requiredWhere(query)
        let values = try assignments(body, fields)
        guard !values.isEmpty else { throw APIError.badBody("the body names no field to change") }
        return try transaction {
            let ids = try matchingRowIDs(table, condition)
            let set = values.map { "\(SQLText.quoted($0.0)) = ?" }.joined(separator: ", ")
            let statement = try prepareClient("UPDATE \(SQLText.quoted(table)) SET \(set)\(condition)")
            try statement.bind(values.map(\.1))
            try run { try statement.rows() }
            return (db.changes, try rows(table, fields, rowIDs: ids))
        }
    }

    func deleteRecords(_ table: String, query: [String: String]) throws -> Int {
        _ = try fields(of: table)
        let condition = try requiredWhere(query)
        let statement = try prepareClient("DELETE FROM \(SQLText.quoted(table))\(condition)")
        try run { try statement.rows() }
        return db.changes
    }

    // MARK: Pieces

    private func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    private func selectList(_ select: String?, _ fields: [Field]) throws(APIError) -> String {
        guard let select = nonEmpty(select) else { return fields.map { SQLText.quoted($0.name) }.joined(separator: ", ") }
        try SQLText.checkFragment(select, parameter: "q.select")
        return select
    }

    private func whereSQL(_ clause: String?) throws(APIError) -> String {
        guard let clause = nonEmpty(clause) else { return "" }
        try SQLText.checkFragment(clause, parameter: "q.where")
        // Parenthesised, so that the clause is one expression and cannot swallow what follows.
        return " WHERE (\(clause))"
    }

    private func requiredWhere(_ query: [String: String]) throws(APIError) -> String {
        guard nonEmpty(query["q.where"]) != nil else { throw APIError.badQuery("q.where is required") }
        return try whereSQL(query["q.where"])
    }

    private struct Page { var number: Int; var size: Int; var offset: Int; var paged: Bool }

    /// q.pageNumber/q.pageSize when either is given (q.limit is then ignored), else q.limit.
    private func paging(_ query: [String: String]) throws(APIError) -> Page {
        if query["q.pageNumber"] != nil || query["q.pageSize"] != nil {
            guard let size = Int(query["q.pageSize"] ?? "25"), (5...Self.maxRows).contains(size) else {
                throw APIError.badQuery("q.pageSize must be an integer from 5 to 1000")
            }
            guard let number = Int(query["q.pageNumber"] ?? "1"), number >= 1 else {
                throw APIError.badQuery("q.pageNumber must be an integer from 1")
            }
            return Page(number: number, size: size, offset: (number - 1) * size, paged: true)
        }
        guard let limit = Int(query["q.limit"] ?? String(Self.defaultLimit)), limit >= 0 else {
            throw APIError.badQuery("q.limit must be a non-negative integer")
        }
        return Page(number: 1, size: min(limit, Self.maxRows), offset: 0, paged: false)
    }

    /// Field values from a body: a JSON object naming existing fields other than the AUTONUMBER.
    private func assignments(_ body: JSON, _ fields: [Field]) throws(APIError) -> [(String, SQLValue)] {
        guard case .object(let pairs) = body else { throw APIError.badBody("the body must be a JSON object") }
        var result: [(String, SQLValue)] = []
        for (key, value) in pairs {
            guard let field = fields.first(where: { $0.name.caseInsensitiveCompare(key) == .orderedSame }) else {
                throw APIError.badBody("field '\(key)' does not exist")
            }
            guard field.type != "AUTONUMBER" else { throw APIError.badBody("field '\(field.name)' is an AUTONUMBER and cannot be set") }
            result.append((field.name, try FieldType.sql(value, field: field.name)))
        }
        return result
    }

    private func matchingRowIDs(_ table: String, _ condition: String) throws -> [Int] {
        let statement = try prepareClient("SELECT rowid FROM \(SQLText.quoted(table))\(condition)")
        return try run { try statement.rows() }.compactMap { if case .integer(let id) = $0[0] { id } else { nil } }
    }

    private func rows(_ table: String, _ fields: [Field], rowIDs: [Int]) throws -> [JSON] {
        guard !rowIDs.isEmpty else { return [] }
        let list = fields.map { SQLText.quoted($0.name) }.joined(separator: ", ")
        let marks = rowIDs.map { _ in "?" }.joined(separator: ", ")
        return try db.query("SELECT \(list) FROM \(SQLText.quoted(table)) WHERE rowid IN (\(marks)) ORDER BY rowid", rowIDs.map { .integer($0) })
            .map { row in .object(zip(fields, row).map { ($0.name, FieldType.json($1, type: $0.type)) }) }
    }

    /// Prepares a statement that embeds client text: any failure is the client's 400.
    private func prepareClient(_ sql: String) throws -> Statement {
        do { return try db.prepareUntrusted(sql) } catch { throw APIError.sql("\(error)") }
    }

    /// Runs a step whose failures (constraints, type errors) are the client's 400.
    private func run<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as SQLiteDatabase.Failure { throw APIError.sql(error.description) }
    }
}
