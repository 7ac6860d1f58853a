import CLua
import CLuaShim
import LuaBridge

/// A strict (RFC 8259), lossless JSON <-> Lua codec.
///
/// - JSON `null` is `LuaJSON.null`, a sentinel userdata, so object members with null values
///   survive a round trip; Lua `nil` encodes as `null` too.
/// - Integers that fit in Int64 stay Lua integers; other numbers are floats, and floats are
///   written so they read back as floats (`1.0`, not `1`).
/// - Decoded arrays carry a shared marker metatable so `[]` re-encodes as `[]`. Unmarked
///   tables encode as arrays when their keys are exactly 1...n, as objects when all keys are
///   strings, and `{}` when empty.
public enum LuaJSON {
    /// Decodes `bytes` and pushes exactly one Lua value; on failure pushes nothing and throws.
    public static func decode(_ lua: Lua, _ bytes: UnsafeRawBufferPointer, maxDepth: Int = 1000) throws(JSONError) {
        let L = lua.L
        let base = lua_gettop(L)
        guard lua_checkstack(L, 8) != 0 else { throw JSONError(message: "Lua stack overflow") }
        Markers.push(L, Markers.nullKey)
        Markers.push(L, Markers.arrayKey)
        // An empty buffer may have no address; any valid pointer will do for zero bytes.
        let empty: StaticString = ""
        let start = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? empty.utf8Start
        var decoder = Decoder(L, start, bytes.count, maxDepth: maxDepth, nullSlot: base + 1, arrayMetaSlot: base + 2, keysSlot: base + 3)
        do {
            try decoder.parseDocument()
        } catch {
            lua_settop(L, base)
            throw error
        }
        // Move the value down over the helpers (two, or three with a table of keys).
        lua_copy(L, -1, base + 1)
        lua_settop(L, base + 1)
    }

    /// Encodes the value at `index`.
    public static func encode(_ lua: Lua, at index: Int32, options: JSONEncodeOptions = .init()) throws(JSONError) -> [UInt8] {
        let buffer = try encodeToBuffer(lua.L, at: index, options: options)
        return Array(buffer.bytes)
    }

    /// Encodes the value at `index` and pushes the text as a Lua string.
    public static func pushEncoded(_ lua: Lua, at index: Int32, options: JSONEncodeOptions = .init()) throws(JSONError) {
        let buffer = try encodeToBuffer(lua.L, at: index, options: options)
        lua_pushlstring(lua.L, cchars(buffer.base), buffer.count)
    }

    static func encodeToBuffer(_ L: OpaquePointer, at index: Int32, options: JSONEncodeOptions) throws(JSONError) -> ByteBuffer {
        let index = lua_absindex(L, index)
        let base = lua_gettop(L)
        defer { lua_settop(L, base) }
        guard lua_checkstack(L, 8) != 0 else { throw JSONError(message: "Lua stack overflow") }
        var encoder = Encoder(L, options: options)
        do {
            try encoder.encode(at: index, depth: 0)
        } catch {
            throw JSONError(message: error.message, path: "$" + error.path)
        }
        return encoder.out
    }

    /// Pushes the `null` sentinel.
    public static func pushNull(_ lua: Lua) {
        Markers.push(lua.L, Markers.nullKey)
    }

    /// Whether the value at `index` is the `null` sentinel.
    public static func isNull(_ lua: Lua, at index: Int32) -> Bool {
        lua_type(lua.L, index) == LUA_TUSERDATA && lua_topointer(lua.L, index) == Markers.pointer(lua.L, Markers.nullKey)
    }

    /// Marks the table at `index` as a JSON array (so an empty one encodes as `[]`).
    public static func markArray(_ lua: Lua, at index: Int32) {
        let index = lua_absindex(lua.L, index)
        Markers.push(lua.L, Markers.arrayKey)
        lua_setmetatable(lua.L, index)
    }

    /// Whether the table at `index` is marked as a JSON array.
    public static func isArray(_ lua: Lua, at index: Int32) -> Bool {
        Markers.tableHasMeta(lua.L, at: index, Markers.arrayKey)
    }
}
