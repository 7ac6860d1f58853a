import CLua
import CLuaShim
import CaspioModule
import LuaBridge

/// Tab completion over the live state: globals, fields and methods (following `__index`
/// tables of metatables), string keys after `["`, and table names after `caspio.table("`.
/// Reads raw only, so it never raises and never runs Lua code; the table names come from
/// `tableNames`, asked once and cached by the caller.
public struct Completer {
    public static let keywords = Pretty.keywords

    public let lua: Lua
    /// The account's table names, for `caspio.table("`; nil when they cannot be had.
    public var tableNames: () -> [String]?

    public init(lua: Lua, tableNames: @escaping () -> [String]? = { nil }) {
        self.lua = lua
        self.tableNames = tableNames
    }

    /// Full replacements for the word at `start..<end` (byte offsets) of `line`.
    public func candidates(line: String, start: Int, end: Int) -> [String] {
        let bytes = Array(line.utf8)
        guard start >= 0, start <= end, end <= bytes.count else { return [] }
        let before = String(decoding: bytes[..<start], as: UTF8.self)
        let word = String(decoding: bytes[start..<end], as: UTF8.self)
        if Self.opensTableName(before) {
            return (tableNames() ?? []).filter { $0.hasPrefix(word) }.sorted()
        }
        if before.hasSuffix("[\"") || before.hasSuffix("['") {
            let expression = Self.trailingPath(String(before.dropLast(2)))
            guard let base = expression, let names = withResolved(base, { keys(at: -1, methodsOnly: false) }) else { return [] }
            return names.filter { $0.hasPrefix(word) }
        }
        return complete(word: word)
    }

    /// `caspio.table("`, `caspio.view("`, `caspio.records("` (with either quote).
    static func opensTableName(_ before: String) -> Bool {
        let trimmed = before.drop { $0 == " " }
        for opener in ["caspio.table(", "caspio.view(", "caspio.records("] {
            for quote in ["\"", "'"] where trimmed.hasSuffix(opener + quote) || trimmed.hasSuffix(opener + " " + quote) {
                return true
            }
        }
        return false
    }

    /// The `a.b.c` just before the end of `text`, if any.
    static func trailingPath(_ text: String) -> String? {
        let path = text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }
        return path.isEmpty ? nil : String(path.reversed())
    }

    private func complete(word: String) -> [String] {
        guard let separator = word.lastIndex(where: { $0 == "." || $0 == ":" }) else {
            let names = withResolved("", { keys(at: -1, methodsOnly: false) }) ?? []
            return (names + Self.keywords).filter { $0.hasPrefix(word) }.uniqueSorted()
        }
        let base = String(word[..<separator])
        let partial = String(word[word.index(after: separator)...])
        let methods = word[separator] == ":"
        let names = withResolved(base, { keys(at: -1, methodsOnly: methods) }) ?? []
        return names.filter { $0.hasPrefix(partial) && Pretty.isIdentifier(Array($0.utf8)) }
            .map { base + String(word[separator]) + $0 }
    }

    /// Pushes the value of the dotted `path` ("" is the globals), runs `body`, pops it.
    private func withResolved<T>(_ path: String, _ body: () -> T) -> T? {
        let base = lua.top
        defer { lua.top = base }
        guard lua.ensureStack(10) else { return nil }
        lua.pushGlobals()
        for name in path.split(separator: ".", omittingEmptySubsequences: false) where !path.isEmpty {
            guard !name.isEmpty, field(String(name)) else { return nil }
        }
        return body()
    }

    /// Replaces the value on top with its field `name` (raw, then `__index` tables); false
    /// when there is none.
    private func field(_ name: String) -> Bool {
        let L = lua.L
        for _ in 0..<8 {
            if lua.type(at: -1) == LUA_TTABLE {
                lua.push(name)
                if lua_rawget(L, -2) != LUA_TNIL {
                    caspio_replace(L, -2)
                    return true
                }
                lua.pop()
            }
            guard lua_getmetatable(L, -1) != 0 else { return false }
            lua.push("__index")
            let type = lua_rawget(L, -2)
            if type == LUA_TFUNCTION {
                // A class that computes some fields (a table handle's `id`) keeps its methods
                // in the metatable itself: follow that, never calling the function.
                lua.pop()
                caspio_replace(L, -2)
                continue
            }
            caspio_remove(L, -2)  // the metatable
            guard type == LUA_TTABLE else {
                lua.pop()
                return false
            }
            caspio_replace(L, -2)
        }
        return false
    }

    /// String keys of the value on top and of its `__index` tables, sorted.
    private func keys(at index: Int32, methodsOnly: Bool) -> [String] {
        let L = lua.L
        var names: [String] = []
        lua.pushValue(at: index)
        var isMetatable = false
        for _ in 0..<8 {
            if lua.type(at: -1) == LUA_TTABLE {
                lua_pushnil(L)
                while lua_next(L, -2) != 0 {
                    let isFunction = lua.type(at: -1) == LUA_TFUNCTION
                    lua.pop()
                    if lua.type(at: -1) == LUA_TSTRING, !methodsOnly || isFunction, let name = lua.string(at: -1),
                        !(isMetatable && name.hasPrefix("__"))
                    {
                        names.append(name)
                    }
                }
            }
            guard lua_getmetatable(L, -1) != 0 else { break }
            lua.push("__index")
            let type = lua_rawget(L, -2)
            // An `__index` function: the methods are the metatable's own (see field(_:)).
            isMetatable = type == LUA_TFUNCTION
            if isMetatable {
                lua.pop()
                caspio_replace(L, -2)
                continue
            }
            caspio_remove(L, -2)
            guard type == LUA_TTABLE else {
                lua.pop()
                break
            }
            caspio_replace(L, -2)
        }
        lua.pop()
        return names.uniqueSorted()
    }
}

extension Array where Element == String {
    func uniqueSorted() -> [String] { Array(Set(self)).sorted() }
}
