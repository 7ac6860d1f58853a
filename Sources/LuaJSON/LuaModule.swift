import CLua
import CLuaShim
import LuaBridge

extension LuaJSON {
    /// Pushes the module table:
    /// `{ decode = fn, encode = fn, null = <sentinel>, array = fn, is_array = fn, object = fn }`.
    public static func pushModule(_ lua: Lua) {
        lua.newTable(fieldCapacity: 6)
        let functions: [(String, HostFunction)] = [
            ("decode", luaDecode), ("encode", luaEncode),
            ("array", luaArray), ("is_array", luaIsArray), ("object", luaObject),
        ]
        for (name, function) in functions {
            lua.push(function: function)
            lua.setField(name, ofTableAt: -2)
        }
        pushNull(lua)
        lua.setField("null", ofTableAt: -2)
    }

    /// `decode(s)`: the value, or raises a `{kind="json", message=, offset=}` table.
    private static func luaDecode(_ lua: Lua) throws -> HostResult {
        let L = lua.L
        guard lua_type(L, 1) == LUA_TSTRING else {
            throw LuaRaise.message("bad argument #1 to 'decode' (string expected, got \(argumentType(lua, 1)))")
        }
        var length = 0
        let text = lua_tolstring(L, 1, &length)
        do {
            try decode(lua, UnsafeRawBufferPointer(start: text, count: length))
        } catch {
            Markers.pushErrorTable(L, error)
            throw LuaRaise.valueOnStack
        }
        return .one
    }

    /// `encode(v [, {pretty=, indent=, sort_keys=}])`: the JSON text, or raises a
    /// `{kind="json", message=, path=}` table.
    private static func luaEncode(_ lua: Lua) throws -> HostResult {
        let L = lua.L
        if lua_type(L, 1) == LUA_TNONE { throw LuaRaise.message("bad argument #1 to 'encode' (value expected)") }
        let options = try encodeOptions(lua, at: 2)
        do {
            try pushEncoded(lua, at: 1, options: options)
        } catch {
            Markers.pushErrorTable(L, error)
            throw LuaRaise.valueOnStack
        }
        return .one
    }

    private static func encodeOptions(_ lua: Lua, at index: Int32) throws -> JSONEncodeOptions {
        var options = JSONEncodeOptions()
        if lua.isNoneOrNil(index) { return options }
        let L = lua.L
        guard lua_type(L, index) == LUA_TTABLE else {
            throw LuaRaise.message("bad argument #2 to 'encode' (table expected, got \(argumentType(lua, index)))")
        }
        var pretty = false
        var indent: Int?
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            defer { lua.pop() }
            let name = lua_type(L, -2) == LUA_TSTRING ? lua.string(at: -2) ?? "" : "?"
            switch name {
            case "pretty", "sort_keys":
                guard lua_type(L, -1) == LUA_TBOOLEAN else {
                    throw LuaRaise.message("bad argument #2 to 'encode' (option '\(name)' must be a boolean)")
                }
                if name == "pretty" { pretty = lua.boolean(at: -1) } else { options.sortKeys = lua.boolean(at: -1) }
            case "indent":
                guard lua_isinteger(L, -1) != 0, let value = lua.integer(at: -1), (0...32).contains(value) else {
                    throw LuaRaise.message("bad argument #2 to 'encode' (option 'indent' must be an integer from 0 to 32)")
                }
                indent = Int(value)
            default:
                throw LuaRaise.message("bad argument #2 to 'encode' (unknown option '\(name)'; expected pretty, indent or sort_keys)")
            }
        }
        options.indent = indent ?? (pretty ? 2 : 0)
        return options
    }

    /// `array([t])`: marks `t` (or a new table) as a JSON array and returns it.
    private static func luaArray(_ lua: Lua) throws -> HostResult {
        try mark(lua, as: Markers.arrayKey, function: "array")
    }

    /// `object([t])`: marks `t` (or a new table) as a JSON object, so it encodes as `{...}`
    /// even when empty or when its keys are 1...n (which are then an error).
    private static func luaObject(_ lua: Lua) throws -> HostResult {
        try mark(lua, as: Markers.objectKey, function: "object")
    }

    private static func mark(_ lua: Lua, as key: String, function: String) throws -> HostResult {
        let L = lua.L
        if lua.isNoneOrNil(1) {
            lua_settop(L, 0)
            lua.newTable()
        }
        guard lua_type(L, 1) == LUA_TTABLE else {
            throw LuaRaise.message("bad argument #1 to '\(function)' (table expected, got \(argumentType(lua, 1)))")
        }
        // Replacing our own marker is fine; replacing a script's metatable would break it.
        if lua_getmetatable(L, 1) != 0 {
            let meta = lua_topointer(L, -1)
            lua.pop()
            if meta != Markers.pointer(L, Markers.arrayKey) && meta != Markers.pointer(L, Markers.objectKey) {
                throw LuaRaise.message("bad argument #1 to '\(function)' (table already has a metatable)")
            }
        }
        Markers.push(L, key)
        lua_setmetatable(L, 1)
        lua_settop(L, 1)
        return .one
    }

    /// `is_array(v)`: whether `v` is a table marked as an array (decoded arrays are).
    private static func luaIsArray(_ lua: Lua) throws -> HostResult {
        lua.push(isArray(lua, at: 1))
        return .one
    }

    private static func argumentType(_ lua: Lua, _ index: Int32) -> String {
        lua.type(at: index) == LUA_TNONE ? "no value" : lua.typeName(at: index)
    }
}
