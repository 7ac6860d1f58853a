import Foundation

/// v4's guard against always-true conditions in bulk updates and deletes (API-V4-NOTES.md,
/// "Writing"): a clause is refused when no row, whatever its values, could fail it. It is run
/// against made-up rows in which every field the clause names takes the values that could
/// make it false (NULL, each literal of the clause and its neighbours, the ends of the field's
/// range), in every combination; refused when it is false for none of them. So `1=1`,
/// `PK_ID > 0`, `PK_ID IS NOT NULL`, `Name = Name`, `Name LIKE '%'` and `… OR 1=1` are
/// refused (a NULL makes a comparison unknown, never false), while `State <> 'CA'` (false
/// for `CA`), `Email IS NOT NULL` (false for NULL) or `PK_ID > 5` pass, whatever the table
/// holds today. A clause naming so many fields that not every combination can be tried is
/// let through (nothing proves it true for every row). The clause runs through the same checks and single-statement preparation as reads.
extension Store {
    /// Made-up rows at most: past it, each field keeps its likeliest values first.
    static let guardRows = 20_000

    func isAlwaysTrue(_ source: Source, _ filter: String, parameter: String) throws -> Bool {
        try checkHidden(source, [filter])
        let clause = try whereSQL(filter, source, parameter: parameter)
        let named = Set(SQLText.words(in: filter).map { $0.lowercased() })
        let literals = SQLText.literals(in: filter)
        var probes = source.fields.map { field in
            (field, named.contains(field.name.lowercased()) ? Self.probeValues(field, literals) : ["NULL"])
        }
        // Fewer values for the fields with most, until the combinations fit (counted without
        // overflowing: a clause naming many fields would pass Int.max).
        func combinations() -> Int { probes.reduce(1) { min($0 * $1.1.count, Self.guardRows + 1) } }
        let trimmed = combinations() > Self.guardRows
        while combinations() > Self.guardRows, let widest = probes.indices.max(by: { probes[$0].1.count < probes[$1].1.count }) {
            probes[widest].1.removeLast(max(1, probes[widest].1.count / 4))
        }
        var columns = ["0 AS __key"], tables: [String] = []
        for (index, (field, values)) in probes.enumerated() {
            // Compared as the source's own column compares (dates as dates, text without case).
            let collation = source.collation(field).map { " COLLATE " + $0 } ?? ""
            if values.count == 1 {
                columns.append("\(values[0])\(collation) AS \(SQLText.quoted(field.name))")
            } else {
                tables.append("(VALUES \(values.map { "(\($0))" }.joined(separator: ", "))) AS __p\(index)")
                columns.append("__p\(index).column1\(collation) AS \(SQLText.quoted(field.name))")
            }
        }
        let rows = "SELECT \(columns.joined(separator: ", "))" + (tables.isEmpty ? "" : " FROM " + tables.joined(separator: " CROSS JOIN "))
        // False for some row: NOT (clause) is true there. NULL (unknown) falsifies nothing.
        let sql = "SELECT COUNT(*) FROM (\(rows)) AS \(SQLText.quoted(source.name)) WHERE NOT " + clause.dropFirst(" WHERE ".count)
        let result = try run { try prepareClient(sql, source).rows() }
        guard case .integer(let falsified)? = result.first?.first else { return false }
        // Refused only when every combination was tried: with values left out, a row that
        // fails the clause may be among them (a clause naming many fields).
        return falsified == 0 && !trimmed
    }

    /// The SQL literals a field takes in the made-up rows, those likeliest to falsify first.
    private static func probeValues(_ field: Field, _ literals: (texts: [String], numbers: [Double])) -> [String] {
        func text(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
        func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d) }
        var values: [String]
        switch field.type {
        case "AUTONUMBER":
            // Never NULL, never below 1.
            let around: [Double] = literals.numbers.flatMap { (n: Double) -> [Double] in [n, n - 1, n + 1] }
            values = around.filter { $0 >= 1 && $0 <= 2_147_483_647 }.map { number($0.rounded(.down)) }
            values += ["1", "2", "2147483647"]
        case "INTEGER", "NUMBER", "CURRENCY":
            let fractions: [Double] = field.type == "INTEGER" ? [] : [0.5, -0.5]
            var numbers: [Double] = []
            for n in literals.numbers { numbers += [n, n - 1, n + 1, -n, -n - 1, -n + 1] + fractions.map { n + $0 } }
            // An INTEGER holds SQL Server's int, so a bound past it is no bound.
            if field.type == "INTEGER" { numbers = numbers.filter { Double(FieldType.integerRange.lowerBound) <= $0 && $0 <= Double(FieldType.integerRange.upperBound) } }
            values = ["NULL"] + numbers.map(number) + ["0", "1", "-1", "-2147483648", "2147483647"] + fractions.map(number)
        case "YES/NO":
            values = ["NULL", "0", "1"]
        case "DATE/TIME", "TIMESTAMP":
            // Compared as moments (`CaspioDate.collation`): each date literal is one.
            values = ["NULL"] + literals.texts.compactMap(CaspioDate.literal).map(text)
            values += ["'0001-01-01T00:00:00'", "'2000-01-01T00:00:00'", "'9999-12-31T23:59:59'"]
        default:
            values = ["NULL"] + literals.texts.flatMap { [text($0), text($0 + "x"), text("x" + $0)] } + literals.numbers.map { text(number($0)) }
            values += ["''", "' '", "'0'", "'a'", "'zzzzzzzz'"]
        }
        // A record's PK_ID (a view's is text) is never NULL.
        var seen: Set<String> = field.name.caseInsensitiveCompare("PK_ID") == .orderedSame ? ["NULL"] : []
        return values.filter { seen.insert($0).inserted }
    }
}
