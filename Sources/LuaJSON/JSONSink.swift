import CLua

/// What the decoder makes of JSON text, as operations on a stack: a value is pushed (or a
/// container opened, which pushes it), then stored into the container below it.
protocol JSONSink {
    /// Opens an object (pushes it), presized for `hint` members.
    mutating func object(hint: Int32)
    /// Opens an array (pushes it, marked as an array), presized for `hint` elements.
    mutating func array(hint: Int32)
    /// Pushes a string: `inInput` when the bytes are the input's own (no escapes), else they
    /// are the decoder's scratch, valid only during the call.
    mutating func string(_ bytes: UnsafePointer<UInt8>, _ count: Int, inInput: Bool)
    mutating func integer(_ value: Int64)
    mutating func number(_ value: Double)
    mutating func boolean(_ value: Bool)
    mutating func null()
    /// Stores the value on top as element `index` of the array below it.
    mutating func element(_ index: Int64)
    /// Stores the key and value on top as a member of the object below them.
    mutating func member()
    /// Whether there is room for one more open container (with a key and a value).
    mutating func room() -> Bool
}

/// Decodes straight onto a Lua stack, with the null sentinel and the array metatable at
/// the given stack slots.
struct LuaSink: JSONSink {
    let L: OpaquePointer
    let nullSlot: Int32
    let arrayMetaSlot: Int32

    @inline(__always) func object(hint: Int32) { lua_createtable(L, 0, hint) }

    @inline(__always) func array(hint: Int32) {
        lua_createtable(L, hint, 0)
        lua_pushvalue(L, arrayMetaSlot)
        lua_setmetatable(L, -2)
    }

    @inline(__always) func string(_ bytes: UnsafePointer<UInt8>, _ count: Int, inInput: Bool) {
        lua_pushlstring(L, cchars(bytes), count)
    }

    @inline(__always) func integer(_ value: Int64) { lua_pushinteger(L, value) }
    @inline(__always) func number(_ value: Double) { lua_pushnumber(L, value) }
    @inline(__always) func boolean(_ value: Bool) { lua_pushboolean(L, value ? 1 : 0) }
    @inline(__always) func null() { lua_pushvalue(L, nullSlot) }
    @inline(__always) func element(_ index: Int64) { lua_rawseti(L, -2, index) }
    @inline(__always) func member() { lua_rawset(L, -3) }
    @inline(__always) func room() -> Bool { lua_checkstack(L, 3) != 0 }
}
