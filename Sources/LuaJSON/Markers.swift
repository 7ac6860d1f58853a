import CLua
import CLuaShim
import LuaBridge

/// The per-state objects the codec shares, kept in the registry so every copy of the module
/// (and the Swift API) agrees on them: the `null` sentinel, the metatables that mark tables
/// as arrays or objects, and the metatable of error tables.
enum Markers {
    static let nullKey = "caspio.json.null"
    static let arrayKey = "caspio.json.array"
    static let objectKey = "caspio.json.object"
    static let errorKey = "caspio.json.error"

    /// Pushes registry entry `key`, creating all entries first if this state has none yet.
    static func push(_ L: OpaquePointer, _ key: String) {
        if lua_getfield(L, caspio_registry_index(), key) == LUA_TNIL {
            caspio_pop(L, 1)
            create(L)
            lua_getfield(L, caspio_registry_index(), key)
        }
    }

    /// The address identifying registry entry `key` (a table's or userdata's identity).
    static func pointer(_ L: OpaquePointer, _ key: String) -> UnsafeRawPointer? {
        push(L, key)
        defer { caspio_pop(L, 1) }
        return lua_topointer(L, -1)
    }

    /// Whether the table at `index` carries the metatable stored under `key`.
    static func tableHasMeta(_ L: OpaquePointer, at index: Int32, _ key: String) -> Bool {
        guard lua_type(L, index) == LUA_TTABLE, lua_getmetatable(L, index) != 0 else { return false }
        let meta = lua_topointer(L, -1)
        caspio_pop(L, 1)
        return meta == pointer(L, key)
    }

    private static func create(_ L: OpaquePointer) {
        let lua = Lua(L)
        let registry = caspio_registry_index()

        // null: a zero-size full userdata, unique and equal only to itself.
        _ = lua_newuserdatauv(L, 0, 0)
        lua_createtable(L, 0, 2)
        lua.push("json.null")
        lua.setField("__name", ofTableAt: -2)
        lua.push(function: { lua in
            lua.push("null")
            return .one
        })
        lua.setField("__tostring", ofTableAt: -2)
        lua_setmetatable(L, -2)
        lua_setfield(L, registry, nullKey)

        for (key, name) in [(arrayKey, "json.array"), (objectKey, "json.object")] {
            lua_createtable(L, 0, 1)
            lua.push(name)
            lua.setField("__name", ofTableAt: -2)
            lua_setfield(L, registry, key)
        }

        lua_createtable(L, 0, 2)
        lua.push("json.error")
        lua.setField("__name", ofTableAt: -2)
        lua.push(function: { lua in
            lua.push(errorTableDescription(lua, at: 1))
            return .one
        })
        lua.setField("__tostring", ofTableAt: -2)
        lua_setfield(L, registry, errorKey)
    }

    /// Pushes `{kind="json", message=..., offset=... | path=...}` with the error metatable.
    static func pushErrorTable(_ L: OpaquePointer, _ error: JSONError) {
        let lua = Lua(L)
        lua_createtable(L, 0, 4)
        lua.push("json")
        lua.setField("kind", ofTableAt: -2)
        lua.push(error.message)
        lua.setField("message", ofTableAt: -2)
        if let offset = error.offset {
            lua.push(offset)
            lua.setField("offset", ofTableAt: -2)
        }
        if let path = error.path {
            lua.push(path)
            lua.setField("path", ofTableAt: -2)
        }
        push(L, errorKey)
        lua_setmetatable(L, -2)
    }

    /// `tostring` of an error table, rebuilt from its fields (scripts may have changed them).
    private static func errorTableDescription(_ lua: Lua, at index: Int32) -> String {
        guard lua.type(at: index) == LUA_TTABLE else { return "json error" }
        lua.pushField("message", ofTableAt: index)
        lua.pushField("offset", ofTableAt: index)
        lua.pushField("path", ofTableAt: index)
        let message = lua.string(at: -3) ?? "error"
        let offset = lua.integer(at: -2).map { Int($0) }
        let path = lua.string(at: -1)
        lua.pop(3)
        return JSONError(message: message, offset: offset, path: path).description
    }
}
