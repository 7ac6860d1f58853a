import Foundation

/// Caspio field types and how the sandbox stores them in SQLite. Text is compared without
/// regard to case (COLLATE NOCASE), as Caspio's SQL Server collation does, so `State='ca'`
/// finds the row stored as `CA`.
enum FieldType {
    static let known: Set<String> = [
        "AUTONUMBER", "PREFIXED AUTONUMBER", "RANDOM ID", "GUID", "STRING", "TEXT", "PASSWORD",
        "NUMBER", "INTEGER", "CURRENCY", "DATE/TIME", "YES/NO", "FILE", "TIMESTAMP",
        "LIST-STRING", "LIST-NUMBER", "LIST-DATE/TIME",
    ]
    /// API-NOTES.md: these must be created with `Unique: true`.
    static let mustBeUnique: Set<String> = ["AUTONUMBER", "GUID", "RANDOM ID"]
    /// Filled in by the database, never by a request body.
    static let generated: Set<String> = ["AUTONUMBER", "PREFIXED AUTONUMBER", "GUID", "RANDOM ID", "TIMESTAMP"]

    static func isList(_ type: String) -> Bool { type.hasPrefix("LIST-") }

    /// The column definition after the quoted name.
    static func sqlDefinition(_ type: String) -> String {
        switch type {
        case "AUTONUMBER": "INTEGER PRIMARY KEY AUTOINCREMENT"
        case "INTEGER", "YES/NO": "INTEGER"
        case "NUMBER", "CURRENCY": "REAL"
        default: "TEXT COLLATE NOCASE"
        }
    }

    /// A stored value as JSON: YES/NO comes back as a boolean, a LIST field as an object of
    /// id → value (stored as that object's JSON text), as Caspio answers.
    static func json(_ value: SQLValue, type: String) -> JSON {
        switch value {
        case .null: .null
        case .integer(let i): type == "YES/NO" ? .bool(i != 0) : .int(i)
        case .real(let d): type == "INTEGER" && d == d.rounded() ? .int(Int(d)) : .double(d)
        case .text(let s) where isList(type): JSON.parse(Array(s.utf8)) ?? .object([])
        case .text(let s): .string(s)
        case .blob(let b): .string(String(decoding: b, as: UTF8.self))
        }
    }

    /// A JSON value from a request body as a value to bind into a field of `type`.
    static func sql(_ value: JSON, field: String, type: String) throws(StoreError) -> SQLValue {
        if isList(type) { throw StoreError.invalid("\(field) is a \(type) field: list fields cannot be written through the REST API") }
        switch value {
        case .null: return .null
        case .bool(let b): return .integer(b ? 1 : 0)
        case .int(let i): return .integer(i)
        case .double(let d): return .real(d)
        case .string(let s) where type == "DATE/TIME":
            guard let date = CaspioDate.normalized(s) else {
                throw StoreError.invalid("'\(s)' is not a valid value for the DATE/TIME field \(field): use ISO 8601, e.g. 2024-01-05T15:17:10")
            }
            return .text(date)
        case .string(let s): return .text(s)
        case .array, .object: throw StoreError.invalid("the value of \(field) must be a string, number, boolean or null")
        }
    }
}

/// Dates as Caspio takes and answers them: ISO 8601 without an offset, a date alone read back
/// as midnight (`2024-01-05T00:00:00`), anything else refused.
enum CaspioDate {
    static func normalized(_ text: String) -> String? {
        let chars = Array(text)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= chars.count, chars[range].allSatisfy(\.isASCII), chars[range].allSatisfy(\.isNumber) else { return nil }
            return Int(String(chars[range]))
        }
        guard chars.count >= 10, chars[4] == "-", chars[7] == "-",
            let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            (1...12).contains(month), day >= 1, day <= daysIn(month, year)
        else { return nil }
        let date = String(chars[0..<10])
        if chars.count == 10 { return date + "T00:00:00" }
        guard chars[10] == "T", chars.count >= 16, chars[13] == ":",
            let hour = number(11..<13), let minute = number(14..<16), hour < 24, minute < 60
        else { return nil }
        var seconds = "00", fraction = ""
        if chars.count > 16 {
            guard chars[16] == ":", let second = number(17..<19), second < 60 else { return nil }
            seconds = String(chars[17..<19])
            if chars.count > 19 {
                guard chars[19] == ".", chars.count > 20, chars.count <= 27, number(20..<chars.count) != nil else { return nil }
                fraction = String(chars[19...])
            }
        }
        return "\(date)T\(String(chars[11..<16])):\(seconds)\(fraction)"
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Now, as Caspio writes timestamps.
    static func now() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: Date())
    }
}
