import CLua
import Glibc

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

/// Decodes straight onto a Lua stack, with the null sentinel, the array metatable and a
/// table of repeated strings at the given stack slots.
///
/// A short string of the input seen again (an object's keys, a column's common values) is
/// kept in that table from its second sighting on and pushed from there, rather than hashed
/// and looked up in Lua's string table each time.
struct LuaSink: JSONSink {
    let L: OpaquePointer
    let nullSlot: Int32
    let arrayMetaSlot: Int32
    let reusedSlot: Int32
    let input: UnsafePointer<UInt8>
    /// The last short string of the input seen with each hash.
    var recent: [Recent]
    var slots: Int64 = 0

    struct Recent {
        var hash: UInt64 = 0
        var offset = 0
        var count = -1
        /// Its place in the table of repeated strings once it repeated (0 before).
        var slot: Int64 = 0
    }

    static let recentSize = 1024

    init(L: OpaquePointer, nullSlot: Int32, arrayMetaSlot: Int32, reusedSlot: Int32, input: UnsafePointer<UInt8>) {
        self.L = L
        self.nullSlot = nullSlot
        self.arrayMetaSlot = arrayMetaSlot
        self.reusedSlot = reusedSlot
        self.input = input
        recent = Array(repeating: Recent(), count: Self.recentSize)
    }

    @inline(__always) func object(hint: Int32) { lua_createtable(L, 0, hint) }

    @inline(__always) func array(hint: Int32) {
        lua_createtable(L, hint, 0)
        lua_pushvalue(L, arrayMetaSlot)
        lua_setmetatable(L, -2)
    }

    @inline(__always) mutating func string(_ bytes: UnsafePointer<UInt8>, _ count: Int, inInput: Bool) {
        guard inInput, count <= shortStringLimit else {
            lua_pushlstring(L, cchars(bytes), count)
            return
        }
        let hash = shortStringHash(bytes, count)
        let index = Int(truncatingIfNeeded: hash) & (Self.recentSize - 1)
        let seen = recent[index]
        if seen.count == count, seen.hash == hash, memcmp(input + seen.offset, bytes, count) == 0 {
            if seen.slot != 0 {
                lua_rawgeti(L, reusedSlot, seen.slot)
                return
            }
            lua_pushlstring(L, cchars(bytes), count)
            slots += 1
            recent[index].slot = slots
            lua_pushvalue(L, -1)
            lua_rawseti(L, reusedSlot, slots)
            return
        }
        recent[index] = Recent(hash: hash, offset: bytes - input, count: count)
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

/// Strings longer than this are Lua's long strings, never shared in its string table.
let shortStringLimit = 40

/// A hash of a short string from a few word loads (a collision only costs a string made again).
@inline(__always)
func shortStringHash(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
    let raw = UnsafeRawPointer(bytes)
    var h = UInt64(truncatingIfNeeded: count) &* 0x9E37_79B9_7F4A_7C15
    if count >= 8 {
        h ^= raw.loadUnaligned(as: UInt64.self)
        h = (h ^ h >> 29) &* 0xBF58_476D_1CE4_E5B9
        h ^= raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        if count > 16 {
            h = (h ^ h >> 29) &* 0xBF58_476D_1CE4_E5B9
            h ^= raw.loadUnaligned(fromByteOffset: count / 2 - 4, as: UInt64.self)
        }
    } else {
        var word: UInt64 = 0
        for k in 0..<count { word = word << 8 | UInt64(bytes[k]) }
        h ^= word
    }
    h = (h ^ h >> 31) &* 0x94D0_49BB_1331_11EB
    return h ^ h >> 32
}
