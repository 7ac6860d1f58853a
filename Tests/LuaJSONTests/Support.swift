import LuaBridge
import LuaJSON
import Testing

/// A fresh Lua state with the codec as global `json`.
final class JSONLua {
    let state = LuaState()
    var lua: Lua { state.lua }

    init() {
        LuaJSON.pushModule(lua)
        lua.setGlobalFromTop("json")
    }

    /// Runs a Lua chunk and returns its results; the stack is left as it was.
    @discardableResult
    func run(_ source: String) throws -> [LuaValue] {
        let base = lua.top
        try lua.load(Array(source.utf8), name: "=test")
        try lua.call(arguments: 0)
        let results = lua.top > base ? (base + 1...lua.top).map { lua.value(at: $0) } : []
        lua.top = base
        return results
    }

    /// Runs a chunk that returns one string.
    func string(_ source: String) throws -> String? {
        try run(source).first?.stringValue
    }

    /// Decodes with the Swift API and returns the error, or nil if `text` decoded.
    func decodeError(_ text: [UInt8], maxDepth: Int = 1000) throws -> JSONError? {
        let base = lua.top
        do {
            try text.withUnsafeBytes { bytes in try LuaJSON.decode(lua, bytes, maxDepth: maxDepth) }
        } catch {
            #expect(lua.top == base, "a failed decode must push nothing")
            return try #require(error as? JSONError)
        }
        #expect(lua.top == base + 1, "a decode pushes exactly one value")
        lua.top = base
        return nil
    }

    /// decode then encode, as text (through Lua).
    func roundTrip(_ text: String, options: String = "nil") throws -> String? {
        lua.setGlobal("input", .string(text))
        return try string("return json.encode(json.decode(input), \(options))")
    }
}

/// A Lua long-bracket literal holding `text` as is (no escapes to worry about).
func luaLiteral(_ text: String) -> String {
    var level = 0
    while text.contains("]" + String(repeating: "=", count: level) + "]") { level += 1 }
    let equals = String(repeating: "=", count: level)
    // A newline right after the opening bracket is dropped by Lua, so add one of our own.
    return "[" + equals + "[\n" + text + "]" + equals + "]"
}
