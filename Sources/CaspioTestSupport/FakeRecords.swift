import Foundation

/// In-memory tables behind FakeCaspio's records endpoints, with Caspio's paging rules
/// (API-NOTES.md): q.pageNumber/q.pageSize (5-1000), q.limit, q.getPaginationInfo,
/// response=rows, PUT/DELETE requiring q.where, 415 without a JSON content type. q.where
/// understands `Field=literal`, `Field IN (…)` and `Field IS NULL` joined by AND, which is
/// what the client builds; anything else is a 400 SqlServerError.
public struct FakeRecords: Sendable {
    public var tables: [String: [[String: JSONValue]]] = [:]
    var nextID = 1
    /// When set, reads come as SQL Server may give them: unordered rows in a new order on
    /// every request, and ties of q.orderBy in any order; seeded, so that a failure replays.
    public var shuffleSeed: UInt64?
    var reads: UInt64 = 0

    public init() {}

    /// Adds `count` rows `{PK_ID, Name, N}` to `table`.
    public mutating func seed(_ table: String, count: Int) {
        var rows = tables[table] ?? []
        for i in 0..<count {
            rows.append(["PK_ID": .int(nextID), "Name": .string("row \(i + 1)"), "N": .int(i + 1)])
            nextID += 1
        }
        tables[table] = rows
    }

    mutating func handle(_ request: TestHTTPServer.Request, path: String) -> TestHTTPServer.Reply {
        let parts = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        guard parts.count >= 3, parts[0] == "tables" || parts[0] == "views" else {
            return caspioError(404, "ObjectNotFound", "Cannot find resource", request)
        }
        let name = parts[1]
        guard tables[name] != nil else {
            return caspioError(404, "ObjectNotFound", "Cannot find table '\(name)'", request)
        }
        if parts[2] == "fields" {
            let fields = Set((tables[name] ?? []).flatMap { $0.keys }).sorted()
            return .json(200, ["Result": fields.map { ["Name": $0, "Type": $0 == "PK_ID" ? "AUTONUMBER" : "STRING"] }])
        }
        guard parts[2] == "records" else { return caspioError(404, "ObjectNotFound", "Cannot find resource", request) }
        let query = request.query
        if request.method != "GET", request.header("Content-Type")?.hasPrefix("application/json") != true {
            if request.method != "DELETE" || !request.body.isEmpty {
                return caspioError(415, "UnsupportedMediaType", "Content-Type must be application/json", request)
            }
        }
        let matcher: (([String: JSONValue]) -> Bool)
        do { matcher = try Self.matcher(query["q.where"]) } catch {
            return caspioError(400, "SqlServerError", "Incorrect syntax in q.where", request)
        }
        switch request.method {
        case "GET":
            var rows = tables[name]!.filter(matcher)
            if let seed = shuffleSeed {
                reads += 1
                var generator = SeededGenerator(seed: seed &+ reads)
                rows.shuffle(using: &generator)
            }
            if let order = query["q.orderBy"] { rows = Self.sorted(rows, by: order) }
            let total = rows.count
            var body: [String: Any] = [:]
            if query["q.pageNumber"] != nil || query["q.pageSize"] != nil {
                let size = Int(query["q.pageSize"] ?? "25") ?? -1
                let number = Int(query["q.pageNumber"] ?? "1") ?? -1
                guard (5...1000).contains(size), number >= 1 else {
                    return caspioError(400, "IncorrectQueryParameter", "q.pageSize must be from 5 to 1000", request)
                }
                rows = Array(rows.dropFirst((number - 1) * size).prefix(size))
                if query["q.getPaginationInfo"] == "true" {
                    body["Pagination"] = ["TotalCount": total, "PageNumber": number, "PageSize": size]
                }
            } else {
                rows = Array(rows.prefix(min(1000, Int(query["q.limit"] ?? "100") ?? 100)))
            }
            body["Result"] = rows.map { $0.mapValues(\.any) }
            return .json(200, body)
        case "POST":
            guard case .object(var row)? = JSONValue.parse(request.body) else {
                return caspioError(400, "IncorrectBodyParameter", "The body must be a JSON object", request)
            }
            row["PK_ID"] = .int(nextID)
            nextID += 1
            tables[name]!.append(row)
            if query["response"] == "rows" { return .json(201, ["Result": [row.mapValues(\.any)]]) }
            return TestHTTPServer.Reply(status: 201)
        case "PUT", "DELETE":
            guard query["q.where"] != nil else {
                return caspioError(400, "IncorrectQueryParameter", "q.where is required", request)
            }
            var affected = 0
            if request.method == "DELETE" {
                let before = tables[name]!.count
                tables[name]!.removeAll(where: matcher)
                affected = before - tables[name]!.count
            } else {
                guard case .object(let fields)? = JSONValue.parse(request.body) else {
                    return caspioError(400, "IncorrectBodyParameter", "The body must be a JSON object", request)
                }
                for i in tables[name]!.indices where matcher(tables[name]![i]) {
                    tables[name]![i].merge(fields) { $1 }
                    affected += 1
                }
            }
            return .json(200, ["RecordsAffected": affected])
        default:
            return caspioError(405, "MethodNotAllowed", "\(request.method) is not allowed", request)
        }
    }

    struct BadClause: Error {}

    /// `rows` sorted by q.orderBy's fields (`Field [ASC|DESC]`, comma-separated); a stable
    /// sort, so ties stay in the order they came in. NULL sorts first, as in SQL Server.
    static func sorted(_ rows: [[String: JSONValue]], by orderBy: String) -> [[String: JSONValue]] {
        let keys = orderBy.split(separator: ",").map { term -> (String, Bool) in
            let words = term.split(separator: " ").map(String.init)
            let descending = words.count > 1 && words.last?.uppercased() == "DESC"
            return (words.first ?? "", descending)
        }
        return rows.enumerated().sorted { a, b in
            for (field, descending) in keys {
                let (x, y) = (a.element[field] ?? .null, b.element[field] ?? .null)
                if x == y { continue }
                return descending ? precedes(y, x) : precedes(x, y)
            }
            return a.offset < b.offset
        }.map(\.element)
    }

    private static func precedes(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, _): return true
        case (_, .null): return false
        case (.int(let x), .int(let y)): return x < y
        case (.int(let x), .double(let y)): return Double(x) < y
        case (.double(let x), .int(let y)): return x < Double(y)
        case (.double(let x), .double(let y)): return x < y
        case (.string(let x), .string(let y)): return x < y
        case (.bool(let x), .bool(let y)): return !x && y
        default: return false
        }
    }

    static func matcher(_ clause: String?) throws -> ([String: JSONValue]) -> Bool {
        guard let clause, !clause.isEmpty, clause != "1=1" else { return { _ in true } }
        var tests: [([String: JSONValue]) -> Bool] = []
        for part in try conjuncts(clause) {
            if part.hasSuffix(" IS NULL") {
                let field = String(part.dropLast(8))
                tests.append { row in row[field] == nil || row[field] == .null }
            } else if let range = part.range(of: " IN (") , part.hasSuffix(")") {
                let field = String(part[..<range.lowerBound])
                let items = try splitList(String(part[range.upperBound..<part.index(before: part.endIndex)]))
                tests.append { row in items.contains(row[field] ?? .null) }
            } else if let comparison = part.range(of: "<=") ?? part.range(of: ">") {
                // FIELD>LITERAL and FIELD<=LITERAL, for incremental exports (examples/nightly-export.lua).
                let field = String(part[..<comparison.lowerBound]).trimmingCharacters(in: .whitespaces)
                let value = try literal(String(part[comparison.upperBound...]).trimmingCharacters(in: .whitespaces))
                let greater = part[comparison] == ">"
                tests.append { row in
                    switch (row[field], value) {
                    case (.int(let a)?, .int(let b)): greater ? a > b : a <= b
                    case (.string(let a)?, .string(let b)): greater ? a > b : a <= b
                    default: false
                    }
                }
            } else if let equals = part.firstIndex(of: "=") {
                let field = String(part[..<equals])
                let value = try literal(String(part[part.index(after: equals)...]))
                tests.append { row in row[field] == value }
            } else {
                throw BadClause()
            }
        }
        return { row in tests.allSatisfy { $0(row) } }
    }

    /// The clause split at each ` AND ` outside quoted literals (which may hold ` AND ` too).
    static func conjuncts(_ clause: String) throws -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var rest = Substring(clause)
        while let ch = rest.first {
            if !quoted, rest.hasPrefix(" AND ") {
                parts.append(current)
                current = ""
                rest = rest.dropFirst(5)
                continue
            }
            if ch == "'" { quoted.toggle() }
            current.append(ch)
            rest = rest.dropFirst()
        }
        guard !quoted else { throw BadClause() }
        parts.append(current)
        return parts
    }

    static func literal(_ text: String) throws -> JSONValue {
        if text.hasPrefix("'"), text.hasSuffix("'"), text.count >= 2 {
            let inner = text.dropFirst().dropLast()
            // Every quote inside must be doubled.
            let unescaped = inner.replacingOccurrences(of: "''", with: "")
            guard !unescaped.contains("'") else { throw BadClause() }
            return .string(inner.replacingOccurrences(of: "''", with: "'"))
        }
        if let int = Int(text) { return .int(int) }
        if let double = Double(text) { return .double(double) }
        throw BadClause()
    }

    static func splitList(_ text: String) throws -> [JSONValue] {
        var items: [String] = []
        var current = ""
        var quoted = false
        for ch in text {
            if ch == "'" { quoted.toggle() }
            if ch == "," && !quoted {
                items.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(ch)
            }
        }
        items.append(current.trimmingCharacters(in: .whitespaces))
        return try items.map(literal)
    }

    func caspioError(_ status: Int, _ code: String, _ message: String, _ request: TestHTTPServer.Request) -> TestHTTPServer.Reply {
        .json(status, ["Code": code, "Message": message, "Resource": request.uri, "RequestId": UUID().uuidString])
    }
}

/// A JSON value that is Sendable and Equatable, for the fake's stored rows.
public enum JSONValue: Sendable, Equatable {
    case null, bool(Bool), int(Int), double(Double), string(String)
    indirect case array([JSONValue])
    indirect case object([String: JSONValue])

    static func parse(_ bytes: [UInt8]) -> JSONValue? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]) else {
            return nil
        }
        return from(object)
    }

    static func from(_ any: Any) -> JSONValue {
        switch any {
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }  // how Foundation boxes JSON booleans
            if let i = Int(exactly: n), !"\(n)".contains(".") { return .int(i) }
            return .double(n.doubleValue)
        case let s as String: return .string(s)
        case let a as [Any]: return .array(a.map(from))
        case let o as [String: Any]: return .object(o.mapValues(from))
        default: return .null
        }
    }

    var any: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        case .array(let a): return a.map(\.any)
        case .object(let o): return o.mapValues(\.any)
        }
    }
}

/// A seeded generator (Knuth's MMIX LCG, its high bits folded into the low), so that a
/// shuffled answer can be replayed.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state ^ (state >> 29)
    }
}
