import CLua
import CLuaShim
import LuaBridge
import LuaJSON

/// A list of records as an aligned table: a header, a rule, one line a row, cells cut to fit
/// the width, and a row count (caspio.print_table, and the REPL for a list of records).
public struct RecordTable {
    public var width = 100
    public var maxRows = 50
    /// The columns in order; nil: every key of the rows, PK_ID first, the rest sorted.
    public var columns: [String]?

    public init(width: Int = 100, maxRows: Int = 50, columns: [String]? = nil) {
        self.width = width
        self.maxRows = maxRows
        self.columns = columns
    }

    /// The text, or nil when the value at `index` is not a non-empty list of records (tables
    /// keyed by strings).
    public func render(_ lua: Lua, at index: Int32) -> String? {
        let list = lua.absoluteIndex(index)
        guard lua.type(at: list) == LUA_TTABLE, lua.ensureStack(6) else { return nil }
        let count = lua.rawLength(at: list)
        guard count > 0 else { return nil }
        var keys: [String] = []
        var seen: Set<String> = []
        var rows: [[String: String]] = []
        let printer = Pretty()
        for i in 1...count {
            guard lua_rawgeti(lua.L, list, lua_Integer(i)) == LUA_TTABLE else { lua.pop(); return nil }
            let row = lua.top
            var cells: [String: String] = [:]
            lua.pushNil()
            while lua_next(lua.L, row) != 0 {
                guard lua.type(at: -2) == LUA_TSTRING, let key = lua.string(at: -2) else { lua.pop(3); return nil }
                if i <= maxRows { cells[key] = cell(lua, printer) }
                if seen.insert(key).inserted { keys.append(key) }
                lua.pop()
            }
            lua.pop()
            if i <= maxRows { rows.append(cells) }
        }
        let names = columns ?? keys.sorted { a, b in a == "PK_ID" || (b != "PK_ID" && a < b) }
        var widths = names.map { name in rows.reduce(Self.length(name)) { max($0, Self.length($1[name] ?? "")) } }
        // Narrow the widest column until the line fits (no column below 3).
        let separators = 2 * max(0, names.count - 1)
        while widths.reduce(separators, +) > width, let widest = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[widest] > 3 {
            widths[widest] -= 1
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { Self.fit($0, $1) }.joined(separator: "  ").replacingTrailingSpaces()
        }
        var out = [line(names), line(widths.map { String(repeating: "-", count: $0) })]
        for row in rows { out.append(line(names.map { row[$0] ?? "" })) }
        if count > rows.count { out.append("… \(count - rows.count) more") }
        out.append("(\(count) row\(count == 1 ? "" : "s"))")
        return out.joined(separator: "\n")
    }

    /// A cell: strings bare, null as `null`, nested values as the printer shows them.
    private func cell(_ lua: Lua, _ printer: Pretty) -> String {
        switch lua.type(at: -1) {
        case LUA_TSTRING: return (lua.string(at: -1) ?? "").replacingNewlines()
        case LUA_TUSERDATA where LuaJSON.isNull(lua, at: -1): return "null"
        default: return printer.render(lua, at: -1).replacingNewlines()
        }
    }

    static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// Padded to `width`, or cut with an ellipsis.
    static func fit(_ text: String, _ width: Int) -> String {
        let n = length(text)
        if n <= width { return text + String(repeating: " ", count: width - n) }
        return String(String.UnicodeScalarView(text.unicodeScalars.prefix(width - 1))) + "…"
    }
}

extension String {
    fileprivate func replacingNewlines() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 }))
    }

    fileprivate func replacingTrailingSpaces() -> String {
        var scalars = unicodeScalars
        while scalars.last == " " { scalars.removeLast() }
        return String(scalars)
    }
}
