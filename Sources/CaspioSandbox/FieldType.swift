/// Caspio field types and how the sandbox stores them in SQLite. Text is compared without
/// regard to case (COLLATE NOCASE), as Caspio's SQL Server collation does, so `State='ca'`
/// finds the row stored as `CA`.
enum FieldType {
    static let known: Set<String> = [
        "AUTONUMBER", "PREFIXED AUTONUMBER", "RANDOM ID", "GUID", "STRING", "TEXT", "PASSWORD",
        "NUMBER", "INTEGER", "CURRENCY", "DATE/TIME", "YES/NO", "FILE", "TIMESTAMP",
        "LIST-STRING", "LIST-NUMBER", "LIST-DATE/TIME",
    ]

    /// The column definition after the quoted name.
    static func sqlDefinition(_ type: String) -> String {
        switch type {
        case "AUTONUMBER": "INTEGER PRIMARY KEY AUTOINCREMENT"
        case "INTEGER", "YES/NO": "INTEGER"
        case "NUMBER", "CURRENCY": "REAL"
        default: "TEXT COLLATE NOCASE"
        }
    }

    /// A stored value as JSON: YES/NO comes back as a boolean, as Caspio answers.
    static func json(_ value: SQLValue, type: String) -> JSON {
        switch value {
        case .null: .null
        case .integer(let i): type == "YES/NO" ? .bool(i != 0) : .int(i)
        case .real(let d): type == "INTEGER" && d == d.rounded() ? .int(Int(d)) : .double(d)
        case .text(let s): .string(s)
        case .blob(let b): .string(String(decoding: b, as: UTF8.self))
        }
    }

    /// A JSON value from a request body as a value to bind.
    static func sql(_ value: JSON, field: String) throws(APIError) -> SQLValue {
        switch value {
        case .null: .null
        case .bool(let b): .integer(b ? 1 : 0)
        case .int(let i): .integer(i)
        case .double(let d): .real(d)
        case .string(let s): .text(s)
        case .array, .object: throw APIError.badBody("the value of \(field) must be a string, number, boolean or null")
        }
    }
}
