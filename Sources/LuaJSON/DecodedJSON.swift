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
    /// The last string seen with each hash (its operation's index), to find repeats.
    var recent: [(op: Int32, hash: UInt32)]

    /// Strings longer than this are Lua's long strings, never shared in its string table.
    static let shortString = 40
    static let recentSize = 4096

    init(input: UnsafePointer<UInt8>, size: Int) {
        self.input = input
        recent = Array(repeating: (-1, 0), count: Self.recentSize)
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
        if count <= Self.shortString, ops.count < Int32.max {
            var hash: UInt32 = 2_166_136_261
            for k in 0..<count { hash = (hash ^ UInt32(bytes[k])) &* 16_777_619 }
            let index = Int(hash) & (Self.recentSize - 1)
            let seen = recent[index]
            if seen.op >= 0, seen.hash == hash, case .string(let location, let meta) = ops[Int(seen.op)],
                meta & 0xFFFF_FFFF == count, same(location, bytes, count)
            {
                var slot = Int32(truncatingIfNeeded: meta >> 32)
                if slot == 0 {
                    slots += 1
                    slot = slots
                    ops[Int(seen.op)] = .string(location: location, meta: count | Int(slot) << 32)
                }
                ops.append(.reused(slot: slot))
                return
            }
            recent[index] = (Int32(ops.count), hash)
        }
        if inInput {
            ops.append(.string(location: (bytes - input) << 1, meta: count))
        } else {
            ops.append(.string(location: escaped.count << 1 | 1, meta: count))
            escaped.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
        }
    }

    private func same(_ location: Int, _ bytes: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        if location & 1 == 0 { return memcmp(input + (location >> 1), bytes, count) == 0 }
        return escaped.withUnsafeBufferPointer { memcmp($0.baseAddress! + (location >> 1), bytes, count) == 0 }
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
