import CLua
import Glibc
import LuaBridge

/// JSON text decoded without a Lua state, on any thread, into a tape of the stack operations
/// that make its value; `LuaJSON.push` replays them on the Lua thread. What the replay makes
/// is what `LuaJSON.decode` makes of the same text (the same parser, the same table sizes):
/// the Lua thread is left only the work that has to touch Lua.
///
/// Strings are read in place from the input, which the tape keeps (not a copy); only strings
/// with escapes are copied, unescaped. A short string that repeats (an object's keys, a
/// column's common values) is made in Lua once per document and reused, rather than hashed
/// and looked up in Lua's string table again each time.
public struct DecodedJSON: Sendable {
    enum Op: Sendable {
        case object(Int32)
        case array(Int32)
        /// `location`: offset << 1, | 1 when in `escaped`; `meta`: count | slot << 32, where
        /// a slot (from 1) keeps the string for the `reused` operations after it.
        case string(location: Int, meta: Int)
        case reused(slot: Int32)
        case integer(Int64)
        case number(Double)
        case boolean(Bool)
        case null
        case element(Int64)
        case member
    }

    let input: [UInt8]
    let ops: [Op]
    let escaped: [UInt8]
    let slots: Int32
    /// Open containers at once, at most: what the replay needs of the Lua stack.
    let depth: Int

    /// Decodes `input`, or throws what `LuaJSON.decode` would throw for it.
    public init(decoding input: [UInt8], maxDepth: Int = 1000) throws(JSONError) {
        let result: Result<(TapeSink, Int), JSONError> = input.withUnsafeBufferPointer { buffer in
            let empty: StaticString = ""
            let start = buffer.baseAddress ?? empty.utf8Start
            var decoder = Decoder(TapeSink(input: start, size: input.count), start, input.count, maxDepth: maxDepth)
            do throws(JSONError) {
                try decoder.parseDocument()
            } catch {
                return .failure(error)
            }
            return .success((decoder.sink, decoder.levels.count))
        }
        let (sink, depth) = try result.get()
        self.input = input
        ops = sink.ops
        escaped = sink.escaped
        slots = sink.slots
        self.depth = depth
    }

    /// The bytes the tape holds beyond its input (its operations and unescaped strings).
    public var decodedBytes: Int {
        ops.count * MemoryLayout<Op>.stride + escaped.count
    }
}

/// Records the decoder's operations, reusing repeated short strings.
struct TapeSink: JSONSink {
    let input: UnsafePointer<UInt8>
    var ops: [DecodedJSON.Op] = []
    var escaped: [UInt8] = []
    var slots: Int32 = 0
    /// The last short string seen with each hash, to find repeats.
    var recent: [Recent]

    struct Recent {
        var hash: UInt64 = 0
        var location = 0
        var count = -1
        /// Its operation's index, and its slot once it repeated (0 before).
        var op = 0
        var slot: Int32 = 0
    }

    /// Strings longer than this are Lua's long strings, never shared in its string table.
    static let shortString = 40
    static let recentSize = 1024

    init(input: UnsafePointer<UInt8>, size: Int) {
        self.input = input
        recent = Array(repeating: Recent(), count: Self.recentSize)
        // About one operation per six bytes of a page of records.
        ops.reserveCapacity(size / 6)
    }

    @inline(__always) mutating func object(hint: Int32) { ops.append(.object(hint)) }
    @inline(__always) mutating func array(hint: Int32) { ops.append(.array(hint)) }
    @inline(__always) mutating func integer(_ value: Int64) { ops.append(.integer(value)) }
    @inline(__always) mutating func number(_ value: Double) { ops.append(.number(value)) }
    @inline(__always) mutating func boolean(_ value: Bool) { ops.append(.boolean(value)) }
    @inline(__always) mutating func null() { ops.append(.null) }
    @inline(__always) mutating func element(_ index: Int64) { ops.append(.element(index)) }
    @inline(__always) mutating func member() { ops.append(.member) }
    @inline(__always) func room() -> Bool { true }

    mutating func string(_ bytes: UnsafePointer<UInt8>, _ count: Int, inInput: Bool) {
        let location = inInput ? (bytes - input) << 1 : escaped.count << 1 | 1
        if count <= Self.shortString {
            let hash = Self.hash(bytes, count)
            let index = Int(truncatingIfNeeded: hash) & (Self.recentSize - 1)
            let seen = recent[index]
            if seen.count == count, seen.hash == hash, memcmp(start(seen.location), bytes, count) == 0 {
                var slot = seen.slot
                if slot == 0 {
                    slots += 1
                    slot = slots
                    recent[index].slot = slot
                    ops[seen.op] = .string(location: seen.location, meta: count | Int(slot) << 32)
                }
                ops.append(.reused(slot: slot))
                return
            }
            recent[index] = Recent(hash: hash, location: location, count: count, op: ops.count)
        }
        ops.append(.string(location: location, meta: count))
        if !inInput { escaped.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count)) }
    }

    private func start(_ location: Int) -> UnsafePointer<UInt8> {
        if location & 1 == 0 { return input + (location >> 1) }
        return escaped.withUnsafeBufferPointer { $0.baseAddress! + (location >> 1) }
    }

    /// A hash of a short string from a few word loads (a miss only costs a string made again).
    @inline(__always)
    static func hash(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> UInt64 {
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
}

extension LuaJSON {
    /// Pushes the value `decoded` holds: what `decode` pushes for its text. False, pushing
    /// nothing, when the Lua stack cannot hold its nesting (`decode` then says why).
    public static func push(_ lua: Lua, _ decoded: DecodedJSON) -> Bool {
        let L = lua.L
        let base = lua_gettop(L)
        guard decoded.depth < 100_000, lua_checkstack(L, Int32(8 + 3 * (decoded.depth + 1))) != 0 else { return false }
        Markers.push(L, Markers.nullKey)
        Markers.push(L, Markers.arrayKey)
        lua_createtable(L, decoded.slots, 0)
        let (nullSlot, arrayMetaSlot, slotTable) = (base + 1, base + 2, base + 3)
        decoded.input.withUnsafeBufferPointer { input in
            decoded.escaped.withUnsafeBufferPointer { escaped in
                let empty: StaticString = ""
                let inputStart = input.baseAddress ?? empty.utf8Start
                let escapedStart = escaped.baseAddress ?? empty.utf8Start
                for op in decoded.ops {
                    switch op {
                    case .object(let hint):
                        lua_createtable(L, 0, hint)
                    case .array(let hint):
                        lua_createtable(L, hint, 0)
                        lua_pushvalue(L, arrayMetaSlot)
                        lua_setmetatable(L, -2)
                    case .string(let location, let meta):
                        let start = (location & 1 == 0 ? inputStart : escapedStart) + (location >> 1)
                        lua_pushlstring(L, cchars(start), meta & 0xFFFF_FFFF)
                        let slot = meta >> 32
                        if slot != 0 {
                            lua_pushvalue(L, -1)
                            lua_rawseti(L, slotTable, Int64(slot))
                        }
                    case .reused(let slot):
                        lua_rawgeti(L, slotTable, Int64(slot))
                    case .integer(let value):
                        lua_pushinteger(L, value)
                    case .number(let value):
                        lua_pushnumber(L, value)
                    case .boolean(let value):
                        lua_pushboolean(L, value ? 1 : 0)
                    case .null:
                        lua_pushvalue(L, nullSlot)
                    case .element(let index):
                        lua_rawseti(L, -2, index)
                    case .member:
                        lua_rawset(L, -3)
                    }
                }
            }
        }
        // Move the value down over the three helpers.
        lua_copy(L, -1, base + 1)
        lua_settop(L, base + 1)
        return true
    }
}
