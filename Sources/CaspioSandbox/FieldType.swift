import Foundation
import SQLiteLayer

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

    /// How a field's values compare, sort and group in clauses (its column in a `Store.Source`):
    /// text without regard to case, as Caspio's SQL Server collation does; DATE/TIME and
    /// TIMESTAMP as moments, a text literal converted, as SQL Server compares a datetime
    /// (`CaspioDate.collation`); numbers as numbers (nil).
    static func collation(_ type: String) -> String? {
        switch type {
        case "AUTONUMBER", "INTEGER", "NUMBER", "CURRENCY", "YES/NO": nil
        case "DATE/TIME", "TIMESTAMP": CaspioDate.collation
        default: "NOCASE"
        }
    }

    static func isDate(_ type: String) -> Bool { type == "DATE/TIME" || type == "TIMESTAMP" }

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

    /// A JSON value from a request body as a value to bind into a field of `type`, as strict
    /// as Caspio: numbers only as JSON numbers, YES/NO only as JSON booleans, dates only as
    /// ISO 8601 text (docs/sandbox.md, "Values a field takes"). A value of the wrong kind is
    /// `StoreError.invalidValue`; a malformed date stays 400 (`invalid`), as Caspio answers `''`.
    static func sql(_ value: JSON, field: String, type: String) throws(StoreError) -> SQLValue {
        // API-NOTES.md: Caspio answers 500 InvalidInputValue to every list value sent; its own
        // tooling's "[9], [12]" (item ids as text) names items the sandbox does not keep.
        if isList(type) {
            throw StoreError.invalidValue("\(field) is a \(type) field: Caspio refuses list values through the REST API; leave \(field) out of the row and set it in Caspio")
        }
        if case .null = value { return .null }
        func refuse(_ expected: String) -> StoreError {
            .invalidValue("\(value.encoded) is not a valid value for the \(type) field '\(field)': expected \(expected)")
        }
        switch type {
        case "INTEGER":
            // SQL Server's int: a whole JSON number within 32 bits (5.0 is the number 5).
            switch value {
            case .int(let i) where integerRange.contains(i): return .integer(i)
            case .double(let d) where d == d.rounded() && Double(integerRange.lowerBound) <= d && d <= Double(integerRange.upperBound): return .integer(Int(d))
            default: throw refuse("a whole JSON number from \(integerRange.lowerBound) to \(integerRange.upperBound), e.g. 5")
            }
        case "NUMBER", "CURRENCY":
            switch value {
            case .int(let i): return .integer(i)
            case .double(let d) where d.isFinite: return .real(d)
            default: throw refuse("a JSON number, e.g. 12.5 (not text such as \"12,50\")")
            }
        case "YES/NO":
            guard case .bool(let b) = value else { throw refuse("a JSON boolean, true or false") }
            return .integer(b ? 1 : 0)
        case "DATE/TIME", "TIMESTAMP":  // a TIMESTAMP value comes only from a seed file
            guard case .string(let s) = value else { throw refuse("ISO 8601 text, e.g. \"2024-01-05T15:17:10\"") }
            guard let date = CaspioDate.normalized(s) else {
                throw StoreError.invalid("'\(s)' is not a valid value for the DATE/TIME field \(field): use ISO 8601, e.g. 2024-01-05T15:17:10")
            }
            return .text(date)
        default:
            // Text fields: text, or a number stored as its decimal text (SQL Server's implicit
            // conversion); never a boolean, list or object. STRING holds 255 characters, TEXT 64,000.
            let text: String
            switch value {
            case .string(let s): text = s
            case .int(let i): text = String(i)
            case .double(let d) where d.isFinite: text = d == d.rounded() && abs(d) < 1e15 ? String(Int(d)) : String(d)
            default: throw refuse("text")
            }
            if let limit = textLimits[type], text.count > limit {
                throw StoreError.invalidValue("the value of the \(type) field '\(field)' is \(text.count) characters long: at most \(limit) fit")
            }
            return .text(text)
        }
    }

    /// A text cell of an imported file as the JSON value the field's type takes: imports read
    /// text, where the API takes typed JSON. A cell that does not parse stays text (and is refused).
    static func fromText(_ text: String, type: String) -> JSON {
        switch type {
        case "INTEGER", "NUMBER", "CURRENCY":
            if let i = Int(text) { return .int(i) }
            if let d = Double(text), d.isFinite { return .double(d) }
        case "YES/NO":
            switch text.lowercased() {
            case "yes", "true", "1": return .bool(true)
            case "no", "false", "0": return .bool(false)
            default: break
            }
        default: break
        }
        return .string(text)
    }

    /// The stamp options (on insert, on update, time zone) belong to TIMESTAMP fields only, and
    /// the time zone is an IANA name (`America/New_York`); nil or empty is UTC.
    static func checkStamp(_ field: Store.Field) throws(StoreError) {
        if field.type != "TIMESTAMP", field.stamp != Store.Field.Stamp() {
            throw StoreError.invalid("Field '\(field.name)' is a \(field.type) field: only TIMESTAMP fields are stamped on insert or update or have a time zone")
        }
        if let zone = field.stamp.timeZone, TimeZone(identifier: zone) == nil {
            throw StoreError.invalid("'\(zone)' is not a time zone the sandbox knows for the TIMESTAMP field '\(field.name)': use an IANA name such as America/New_York, or leave it out for UTC")
        }
    }

    /// INTEGER fields hold SQL Server's int.
    static let integerRange = -2_147_483_648...2_147_483_647
    /// How many characters text fields hold (Caspio's Text (255) and Text (64000)).
    static let textLimits = ["STRING": 255, "TEXT": 64_000]
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

    /// A date literal of a where clause as stored text: what `normalized` takes, or a space for
    /// the `T` (`'2024-01-05 10:00:00'`), as SQL Server reads literals too; nil: not a date.
    static func literal(_ text: String) -> String? {
        var chars = Array(text)
        if chars.count > 10, chars[10] == " " { chars[10] = "T" }
        return normalized(String(chars))
    }

    /// The collation of DATE/TIME and TIMESTAMP fields in clauses (`FieldType.collation`):
    /// values that are dates (stored values, literals as `literal` takes them) compare as the
    /// moments they name, so `Joined = '2024-01-05'` finds `2024-01-05T00:00:00` and
    /// `'…T10:00:00.5'` equals `'…T10:00:00.500'`; anything else sorts after every date, by its bytes.
    static let collation = "CASPIO_DATE"

    static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        switch (moment(a), moment(b)) {
        case let (x?, y?): x < y ? -1 : x > y ? 1 : 0
        case (.some, nil): -1
        case (nil, .some): 1
        case (nil, nil): a.lexicographicallyPrecedes(b) ? -1 : b.lexicographicallyPrecedes(a) ? 1 : 0
        }
    }

    /// The moment `literal` takes, as a number that orders as time does (to 100 ns); nil: not a date.
    static func moment(_ text: UnsafeRawBufferPointer) -> Int64? {
        let n = text.count
        func digits(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= n else { return nil }
            var value: Int64 = 0
            for i in range {
                guard (48...57).contains(text[i]) else { return nil }
                value = value * 10 + Int64(text[i] - 48)
            }
            return value
        }
        func byte(_ i: Int, _ c: Character) -> Bool { i < n && text[i] == c.asciiValue! }
        guard n >= 10, byte(4, "-"), byte(7, "-"), let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
            (1...12).contains(month), day >= 1, day <= Int64(daysIn(Int(month), Int(year)))
        else { return nil }
        var hour: Int64 = 0, minute: Int64 = 0, second: Int64 = 0, fraction: Int64 = 0
        if n > 10 {
            guard byte(10, "T") || byte(10, " "), byte(13, ":"), let h = digits(11..<13), let m = digits(14..<16), h < 24, m < 60 else { return nil }
            (hour, minute) = (h, m)
            if n > 16 {
                guard byte(16, ":"), let s = digits(17..<19), s < 60 else { return nil }
                second = s
                if n > 19 {
                    guard byte(19, "."), n > 20, n <= 27, let f = digits(20..<n) else { return nil }
                    fraction = f
                    for _ in n..<27 { fraction *= 10 }
                }
            }
        }
        let seconds = ((((year * 12 + month) * 31 + day) * 24 + hour) * 60 + minute) * 60 + second
        return seconds * 10_000_000 + fraction
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Now by `clock` (the sandbox's: tests run in virtual time), as Caspio writes timestamps.
    static func now(_ clock: () -> Date) -> String { text(clock(), zone: nil) }

    /// A moment as Caspio writes it: the wall-clock time in the time zone `zone` names (nil:
    /// UTC), without an offset.
    static func text(_ date: Date, zone: String?) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone.flatMap(TimeZone.init(identifier:)) ?? .gmt
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: date)
    }
}
