import CLua
import CLuaShim
import LuaBridge
import LuaJSON

/// Renders Lua values readably (the REPL's printer, and caspio.inspect): sorted keys, depth and item limits, cycles marked, JSON null
/// as `null`, long strings cut with a count, and a response table as status, request id and
/// decoded JSON. Reads raw (no metamethods but `__tostring`, called protected): never raises.
public struct Pretty {
    public var color = false
    public var maxDepth = 5
    public var maxItems = 50
    public var maxString = 200
    public var width = 80
    /// Access tokens this session has seen: a string containing one prints as redacted.
    public var secrets: [[UInt8]] = []
    /// The stack index of a Lua table from records to their table's field names: those
    /// records' keys print in that order (the rest sorted, after them).
    public var orders: Int32?

    public init(color: Bool = false) { self.color = color }

    /// The values as lua.c prints them: separated by tabs.
    public func render(_ lua: Lua, _ values: [LuaValue]) -> String {
        values.map { value in
            lua.push(value)
            defer { lua.pop() }
            return render(lua, at: -1)
        }.joined(separator: "\t")
    }

    public func render(_ lua: Lua, at index: Int32) -> String {
        var path: Set<UnsafeRawPointer> = []
        return value(lua, lua.absoluteIndex(index), depth: 0, indent: 0, path: &path)
    }

    // MARK: Values

    private enum Style: String {
        case string = "32", number = "36", keyword = "35", opaque = "2", note = "33"
    }

    private func paint(_ text: String, _ style: Style) -> String {
        color ? "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m" : text
    }

    private func value(_ lua: Lua, _ index: Int32, depth: Int, indent: Int, path: inout Set<UnsafeRawPointer>) -> String {
        let L = lua.L
        switch lua.type(at: index) {
        case LUA_TNIL, LUA_TNONE: return paint("nil", .keyword)
        case LUA_TBOOLEAN: return paint(lua.boolean(at: index) ? "true" : "false", .keyword)
        case LUA_TNUMBER: return paint(lua.describe(at: index), .number)
        case LUA_TSTRING: return quoted(lua.bytes(at: index) ?? [])
        case LUA_TUSERDATA where LuaJSON.isNull(lua, at: index): return paint("null", .keyword)
        case LUA_TTABLE:
            if luaL_getmetafield(L, index, "__tostring") != LUA_TNIL {
                lua.pop()
                return paint(lua.describe(at: index), .opaque)
            }
            guard let pointer = lua_topointer(L, index) else { return "{}" }
            if path.contains(pointer) { return paint("<cycle>", .note) }
            if depth >= maxDepth { return paint("{...}", .note) }
            path.insert(pointer)
            defer { path.remove(pointer) }
            if let response = response(lua, index, depth: depth, indent: indent, path: &path) { return response }
            return table(lua, index, depth: depth, indent: indent, path: &path)
        default: return paint(lua.describe(at: index), .opaque)
        }
    }

    /// A string as Lua source, cut after `maxString` bytes with the full length noted.
    func quoted(_ bytes: [UInt8]) -> String {
        if containsSecret(bytes) { return paint("<redacted: contains an access token>", .note) }
        var cut = bytes.count > maxString ? maxString : bytes.count
        while cut < bytes.count && cut > 0 && bytes[cut] & 0xC0 == 0x80 { cut -= 1 }  // whole characters
        var out = "\""
        var scalars = String(decoding: bytes[..<cut], as: UTF8.self).unicodeScalars.makeIterator()
        while let scalar = scalars.next() {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\\(scalar.value)"
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        var text = paint(out, .string)
        if cut < bytes.count { text += paint("... (\(bytes.count) bytes)", .note) }
        return text
    }

    // MARK: Tables

    private enum Key: Comparable {
        case integer(Int64), number(Double), string([UInt8]), other(String)

        static func < (a: Key, b: Key) -> Bool {
            switch (a, b) {
            case (.integer(let x), .integer(let y)): x < y
            case (.number(let x), .number(let y)): x < y
            case (.string(let x), .string(let y)): x.lexicographicallyPrecedes(y)
            case (.other(let x), .other(let y)): x < y
            default: a.rank < b.rank
            }
        }

        var rank: Int {
            switch self {
            case .string: 0
            case .integer: 1
            case .number: 2
            case .other: 3
            }
        }
    }

    private func table(_ lua: Lua, _ index: Int32, depth: Int, indent: Int, path: inout Set<UnsafeRawPointer>) -> String {
        let L = lua.L
        guard lua.ensureStack(8) else { return paint("{...}", .note) }
        let length = lua.rawLength(at: index)
        var keys: [Key] = []
        var others: [LuaValue] = []  // keys that are neither strings nor numbers
        var count = 0
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            lua.pop()
            count += 1
            switch lua.type(at: -1) {
            case LUA_TSTRING: keys.append(.string(lua.bytes(at: -1) ?? []))
            case LUA_TNUMBER:
                if lua_isinteger(L, -1) != 0 { keys.append(.integer(lua_tointegerx(L, -1, nil))) } else {
                    keys.append(.number(lua_tonumberx(L, -1, nil)))
                }
            default:
                keys.append(.other("\(others.count)"))
                others.append(lua.value(at: -1))
            }
        }
        let isArray = count == length && (count > 0 || LuaJSON.isArray(lua, at: index)) && keys.allSatisfy {
            if case .integer(let i) = $0 { return i >= 1 && i <= Int64(length) }
            return false
        }
        if count == 0 { return "{}" }
        if !isArray { sortKeys(&keys, lua, index) } else { keys = (1...Int64(length)).map { .integer($0) } }

        var items: [String] = []
        for key in keys.prefix(maxItems) {
            let keyText: String
            switch key {
            case .integer(let i):
                lua.push(i)
                keyText = isArray ? "" : "[\(i)] = "
            case .number(let d):
                lua.push(d)
                keyText = "[\(lua.describe(at: -1))] = "
            case .string(let bytes):
                bytes.withUnsafeBytes { lua.push(bytes: $0) }
                keyText = (Self.isIdentifier(bytes) ? String(decoding: bytes, as: UTF8.self) : "[\(quoted(bytes))]") + " = "
            case .other(let position):
                lua.push(others[Int(position)!])
                keyText = "[\(lua.describe(at: -1))] = "
            }
            lua_rawget(L, index)
            items.append(keyText + value(lua, lua.top, depth: depth + 1, indent: indent + 2, path: &path))
            lua.pop()
        }
        if keys.count > maxItems { items.append(paint("... (\(keys.count - maxItems) more)", .note)) }
        return layout(items, indent: indent)
    }

    /// On one line when it fits, else one item per line.
    /// Sorted, but the fields `orders` names for this table first, in its order.
    private func sortKeys(_ keys: inout [Key], _ lua: Lua, _ index: Int32) {
        var rank: [[UInt8]: Int] = [:]
        if let orders {
            lua.pushValue(at: index)
            lua_rawget(lua.L, orders)
            if lua.type(at: -1) == LUA_TTABLE {
                let list = lua.absoluteIndex(-1)
                var i: lua_Integer = 1
                while lua_rawgeti(lua.L, list, i) == LUA_TSTRING {
                    rank[lua.bytes(at: -1) ?? []] = Int(i)
                    lua.pop()
                    i += 1
                }
                lua.pop()
            }
            lua.pop()
        }
        guard !rank.isEmpty else { return keys.sort() }
        func position(_ key: Key) -> Int {
            if case .string(let bytes) = key { return rank[bytes] ?? Int.max }
            return Int.max
        }
        keys.sort { a, b in
            let (pa, pb) = (position(a), position(b))
            return pa != pb ? pa < pb : a < b
        }
    }

    private func layout(_ items: [String], indent: Int) -> String {
        let inline = "{ " + items.joined(separator: ", ") + " }"
        if indent + Self.visibleWidth(inline) <= width && !inline.contains("\n") { return inline }
        let pad = String(repeating: " ", count: indent + 2)
        return "{\n" + items.map { pad + $0 }.joined(separator: ",\n") + "\n" + String(repeating: " ", count: indent) + "}"
    }

    /// A response table ({status = integer, headers = table, body = string}): status, request
    /// id, then the decoded JSON (or the body) instead of raw bytes.
    private func response(_ lua: Lua, _ index: Int32, depth: Int, indent: Int, path: inout Set<UnsafeRawPointer>) -> String? {
        let L = lua.L
        guard lua.pushField("status", ofTableAt: index) == LUA_TNUMBER, lua_isinteger(L, -1) != 0 else {
            lua.pop()
            return nil
        }
        let status = lua_tointegerx(L, -1, nil)
        lua.pop()
        let headersType = lua.pushField("headers", ofTableAt: index)
        let bodyType = lua.pushField("body", ofTableAt: index)
        let body = lua.bytes(at: -1) ?? []
        lua.pop(2)
        guard headersType == LUA_TTABLE, bodyType == LUA_TSTRING else { return nil }
        var head = "HTTP \(status)"
        if lua.pushField("request_id", ofTableAt: index) == LUA_TSTRING, let id = lua.string(at: -1), !id.isEmpty {
            head += " (request \(id))"
        }
        lua.pop()
        head = paint(head, .note)
        if lua.pushField("json", ofTableAt: index) != LUA_TNIL {
            defer { lua.pop() }
            return head + "\n" + String(repeating: " ", count: indent)
                + value(lua, lua.top, depth: depth, indent: indent, path: &path)
        }
        lua.pop()
        return body.isEmpty ? head : head + "\n" + String(repeating: " ", count: indent) + quoted(body)
    }

    public func containsSecret(_ bytes: [UInt8]) -> Bool {
        secrets.contains { secret in secret.count >= 8 && bytes.count >= secret.count && bytes.firstRange(of: secret) != nil }
    }

    /// Lua's reserved words: never bare keys.
    public static let keywords: Set<String> = [
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
        "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    ]

    public static func isIdentifier(_ bytes: [UInt8]) -> Bool {
        guard let first = bytes.first, first == UInt8(ascii: "_") || (first | 0x20) >= 97 && (first | 0x20) <= 122 else {
            return false
        }
        let allowed = bytes.allSatisfy { $0 == UInt8(ascii: "_") || ($0 | 0x20) >= 97 && ($0 | 0x20) <= 122 || $0 >= 48 && $0 <= 57 }
        return allowed && !keywords.contains(String(decoding: bytes, as: UTF8.self))
    }

    static func visibleWidth(_ text: String) -> Int {
        var width = 0
        var inEscape = false
        for scalar in text.unicodeScalars {
            if inEscape {
                if scalar == "m" { inEscape = false }
            } else if scalar == "\u{1B}" {
                inEscape = true
            } else {
                width += 1
            }
        }
        return width
    }
}
