/// v4's guard against always-true conditions in bulk updates and deletes (API-V4-NOTES.md,
/// "Writing"): a clause is refused when it holds for two made-up rows at opposite ends of
/// every field's range (`1=1`, `PK_ID>0`, `Name LIKE '%'`, `Quantity >= 0 OR 1=1`), whatever
/// the table holds today; `State='CA'` or `PK_ID > 5` hold for neither or one, and pass.
/// The clause runs through the same checks and the same single-statement preparation as reads.
extension Store {
    func isAlwaysTrue(_ source: Source, _ filter: String, parameter: String) throws -> Bool {
        func row(_ high: Bool) -> String {
            (["0 AS __key"] + source.fields.map { field -> String in
                let value: String = switch field.type {
                case "AUTONUMBER": high ? "2147483647" : "1"
                case "INTEGER", "NUMBER", "CURRENCY": high ? "2147483647" : "-2147483648"
                case "YES/NO": high ? "1" : "0"
                case "DATE/TIME", "TIMESTAMP": high ? "'9999-12-31T23:59:59'" : "'0001-01-01T00:00:00'"
                default: high ? "'zzzzzzzz'" : "''"
                }
                return "\(value) AS \(SQLText.quoted(field.name))"
            }).joined(separator: ", ")
        }
        try checkHidden(source, [filter])
        let sql = "SELECT COUNT(*) FROM (SELECT \(row(false)) UNION ALL SELECT \(row(true))) AS \(SQLText.quoted(source.name))"
            + (try whereSQL(filter, parameter: parameter))
        let rows = try run { try prepareClient(sql, source).rows() }
        guard case .integer(let count)? = rows.first?.first else { return false }
        return count == 2
    }
}
