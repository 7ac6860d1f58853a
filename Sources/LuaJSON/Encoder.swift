import CLua
import CLuaShim
import Glibc

/// An encode failure on its way out: each enclosing container prepends its step to `path`.
struct EncodeFailure: Error {
    var message: String
    var path = ""
}

/// Walks a Lua value and writes JSON. Only raw access (lua_next, lua_rawgeti, lua_rawget),
/// so no metamethod runs and nothing raises.
struct Encoder: ~Copyable {
    let L: OpaquePointer
    var out = ByteBuffer(capacity: 1024)
    let indent: Int
    let sortKeys: Bool
    let maxDepth: Int
    /// Identities of the null sentinel and of the array/object marker metatables.
    let null: UnsafeRawPointer?
    let arrayMeta: UnsafeRawPointer?
    let objectMeta: UnsafeRawPointer?
    /// Tables on the path from the root to the value being written, to detect cycles.
    var open: [UnsafeRawPointer] = []

    init(_ L: OpaquePointer, options: JSONEncodeOptions) {
        self.L = L
        indent = max(0, options.indent)
        sortKeys = options.sortKeys
        maxDepth = options.maxDepth
        null = Markers.pointer(L, Markers.nullKey)
        arrayMeta = Markers.pointer(L, Markers.arrayKey)
        objectMeta = Markers.pointer(L, Markers.objectKey)
    }

    /// Writes the value at absolute stack index `index`, inside `depth` tables.
    mutating func encode(at index: Int32, depth: Int) throws(EncodeFailure) {
        switch lua_type(L, index) {
        case LUA_TSTRING:
            var length = 0
            let bytes = lua_tolstring(L, index, &length)!
            let bad = out.appendString(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: length)
            if bad >= 0 { throw EncodeFailure(message: "string is not valid UTF-8 (byte \(bad + 1))") }
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 {
                out.appendInteger(lua_tointegerx(L, index, nil))
            } else {
                let value = lua_tonumberx(L, index, nil)
                guard value.isFinite else {
                    throw EncodeFailure(message: "cannot encode \(value.isNaN ? "NaN" : "infinity") (JSON has no such number)")
                }
                out.appendFloat(value)
            }
        case LUA_TTABLE:
            try table(at: index, depth: depth &+ 1)
        case LUA_TBOOLEAN:
            out.append(lua_toboolean(L, index) != 0 ? "true" : "false")
        case LUA_TNIL:
            out.append("null")
        case LUA_TUSERDATA where lua_topointer(L, index) == null:
            out.append("null")
        default:
            throw EncodeFailure(message: "cannot encode a \(typeName(at: index)) value")
        }
    }

    private mutating func table(at t: Int32, depth: Int) throws(EncodeFailure) {
        if depth > maxDepth { throw EncodeFailure(message: "nesting deeper than \(maxDepth) levels") }
        let identity = lua_topointer(L, t)!
        if open.contains(identity) { throw EncodeFailure(message: "table contains itself (cycle)") }
        if lua_checkstack(L, 4) == 0 { throw EncodeFailure(message: "nesting too deep for the Lua stack") }
        open.append(identity)
        defer { open.removeLast() }

        var meta: UnsafeRawPointer?
        if lua_getmetatable(L, t) != 0 {
            meta = lua_topointer(L, -1)
            caspio_pop(L, 1)
        }
        if meta == arrayMeta { return try array(at: t, depth: depth, marked: true) }
        if meta == objectMeta { return try object(at: t, depth: depth, marked: true) }

        // Unmarked: the first key decides what the table should be; the rest must agree.
        lua_pushnil(L)
        if lua_next(L, t) == 0 {
            out.append("{}")
            return
        }
        let keyIsString = lua_type(L, -2) == LUA_TSTRING
        let keyIsInteger = lua_isinteger(L, -2) != 0
        let key = keyIsString || keyIsInteger ? "" : describeKey(at: lua_gettop(L) - 1)
        caspio_pop(L, 2)
        if keyIsString { return try object(at: t, depth: depth, marked: false) }
        if keyIsInteger { return try array(at: t, depth: depth, marked: false) }
        throw EncodeFailure(message: "table has a key JSON cannot represent: \(key)")
    }

    /// Writes a table whose keys must be exactly 1...n.
    private mutating func array(at t: Int32, depth: Int, marked: Bool) throws(EncodeFailure) {
        var count: Int64 = 0
        var largest: Int64 = 0
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            caspio_pop(L, 1)
            guard lua_isinteger(L, -1) != 0 else {
                let key = describeKey(at: lua_gettop(L))
                throw EncodeFailure(message: marked
                    ? "array has a non-index key: \(key)"
                    : "table mixes array items with other keys (\(key))")
            }
            let index = lua_tointegerx(L, -1, nil)
            if index < 1 { throw EncodeFailure(message: "array index \(index) is out of range (must be 1 or more)") }
            largest = max(largest, index)
            count &+= 1
        }
        if largest != count {
            throw EncodeFailure(message: "sparse array: \(count) items but index \(largest) (arrays must have keys 1...n)")
        }
        if count == 0 {
            out.append("[]")
            return
        }
        out.append(UInt8(ascii: "["))
        for index in 1...count {
            if index > 1 { out.append(UInt8(ascii: ",")) }
            if indent > 0 { newline(depth) }
            lua_rawgeti(L, t, index)
            do {
                try encode(at: lua_gettop(L), depth: depth)
            } catch {
                throw EncodeFailure(message: error.message, path: "[\(index)]" + error.path)
            }
            caspio_pop(L, 1)
        }
        if indent > 0 { newline(depth &- 1) }
        out.append(UInt8(ascii: "]"))
    }

    /// Writes a table whose keys must all be strings.
    private mutating func object(at t: Int32, depth: Int, marked: Bool) throws(EncodeFailure) {
        if sortKeys { return try sortedObject(at: t, depth: depth, marked: marked) }
        out.append(UInt8(ascii: "{"))
        var first = true
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            let valueIndex = lua_gettop(L)
            let keyIndex = valueIndex &- 1
            // Check the type first: lua_tolstring would turn a number key into a string in place.
            guard lua_type(L, keyIndex) == LUA_TSTRING else { throw nonStringKey(at: keyIndex, marked: marked) }
            var length = 0
            let key = UnsafeRawPointer(lua_tolstring(L, keyIndex, &length)!).assumingMemoryBound(to: UInt8.self)
            try member(key: key, length: length, first: first, value: valueIndex, depth: depth)
            first = false
            caspio_pop(L, 1)
        }
        closeObject(depth: depth, empty: first)
    }

    /// Writes a table with string keys in byte order of the keys.
    private mutating func sortedObject(at t: Int32, depth: Int, marked: Bool) throws(EncodeFailure) {
        // The keys go into a scratch table on the stack, so their bytes stay alive (and our
        // pointers valid) whatever a garbage collection step does meanwhile.
        lua_createtable(L, 0, 0)
        let keyTable = lua_gettop(L)
        var keys: [(bytes: UnsafeRawBufferPointer, slot: Int64)] = []
        lua_pushnil(L)
        while lua_next(L, t) != 0 {
            caspio_pop(L, 1)
            guard lua_type(L, -1) == LUA_TSTRING else { throw nonStringKey(at: lua_gettop(L), marked: marked) }
            var length = 0
            let key = lua_tolstring(L, -1, &length)!
            let slot = Int64(keys.count + 1)
            lua_pushvalue(L, -1)
            lua_rawseti(L, keyTable, slot)
            keys.append((UnsafeRawBufferPointer(start: key, count: length), slot))
        }
        keys.sort { a, b in
            let order = memcmp(a.bytes.baseAddress!, b.bytes.baseAddress!, min(a.bytes.count, b.bytes.count))
            return order != 0 ? order < 0 : a.bytes.count < b.bytes.count
        }
        out.append(UInt8(ascii: "{"))
        for (n, key) in keys.enumerated() {
            lua_rawgeti(L, keyTable, key.slot)
            lua_rawget(L, t)
            let bytes = key.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
            try member(key: bytes, length: key.bytes.count, first: n == 0, value: lua_gettop(L), depth: depth)
            caspio_pop(L, 1)
        }
        caspio_pop(L, 1)
        closeObject(depth: depth, empty: keys.isEmpty)
    }

    /// Writes `"key":` and then the value at `value`, naming the key in the path of any failure.
    @inline(__always)
    private mutating func member(
        key: UnsafePointer<UInt8>, length: Int, first: Bool, value: Int32, depth: Int
    ) throws(EncodeFailure) {
        if !first { out.append(UInt8(ascii: ",")) }
        if indent > 0 { newline(depth) }
        let bad = out.appendString(key, count: length)
        if bad >= 0 { throw EncodeFailure(message: "object key is not valid UTF-8 (byte \(bad + 1))") }
        out.append(UInt8(ascii: ":"))
        if indent > 0 { out.append(UInt8(ascii: " ")) }
        do {
            try encode(at: value, depth: depth)
        } catch {
            throw EncodeFailure(message: error.message, path: pathStep(key: UnsafeRawBufferPointer(start: key, count: length)) + error.path)
        }
    }

    private mutating func closeObject(depth: Int, empty: Bool) {
        if !empty && indent > 0 { newline(depth &- 1) }
        out.append(UInt8(ascii: "}"))
    }

    private mutating func newline(_ depth: Int) {
        out.append(0x0A)
        out.append(repeating: 0x20, count: depth &* indent)
    }

    private func nonStringKey(at index: Int32, marked: Bool) -> EncodeFailure {
        let key = describeKey(at: index)
        if !marked && lua_isinteger(L, index) != 0 {
            return EncodeFailure(message: "table mixes string keys with array indices (\(key))")
        }
        return EncodeFailure(message: "object key must be a string, not \(key)")
    }

    /// A key for a message: `"name"`, `3`, `1.5`, `true`, or its type.
    private func describeKey(at index: Int32) -> String {
        switch lua_type(L, index) {
        case LUA_TSTRING:
            var length = 0
            let key = lua_tolstring(L, index, &length)!
            return "\"" + String(decoding: UnsafeRawBufferPointer(start: key, count: length), as: UTF8.self) + "\""
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return String(lua_tointegerx(L, index, nil)) }
            return String(lua_tonumberx(L, index, nil))
        case LUA_TBOOLEAN:
            return lua_toboolean(L, index) != 0 ? "true" : "false"
        default:
            return "a \(typeName(at: index))"
        }
    }

    private func typeName(at index: Int32) -> String { String(cString: lua_typename(L, lua_type(L, index))) }
}

/// One step of an error path: `.name` for identifier-like keys, `["any key"]` otherwise.
func pathStep(key: UnsafeRawBufferPointer) -> String {
    let text = String(decoding: key, as: UTF8.self)
    let isIdentifier = !key.isEmpty && key.enumerated().allSatisfy { n, c in
        c == UInt8(ascii: "_") || (c | 0x20 >= UInt8(ascii: "a") && c | 0x20 <= UInt8(ascii: "z"))
            || (n > 0 && c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }
    if isIdentifier { return "." + text }
    var quoted = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": quoted += "\\\""
        case "\\": quoted += "\\\\"
        case "\n": quoted += "\\n"
        default: quoted.unicodeScalars.append(scalar)
        }
    }
    return "[\"" + quoted + "\"]"
}
