import CLua
import CLuaShim

/// A Lua value as Swift sees it. Scalars are copied; tables, functions, userdata and threads
/// are held by a registry reference that keeps them alive while Swift holds it.
public enum LuaValue: Equatable {
    case `nil`
    case boolean(Bool)
    case integer(Int64)
    case number(Double)
    /// Lua strings are bytes: embedded NULs and non-UTF-8 survive.
    case string(LuaBytes)
    case table(LuaRef)
    case function(LuaRef)
    case userdata(LuaRef)
    case lightUserdata(UnsafeMutableRawPointer?)
    case thread(LuaRef)

    public static func string(_ text: String) -> LuaValue { .string(LuaBytes(text)) }

    /// The Lua type name, as `type()` reports it.
    public var typeName: String {
        switch self {
        case .nil: "nil"
        case .boolean: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .table: "table"
        case .function: "function"
        case .userdata, .lightUserdata: "userdata"
        case .thread: "thread"
        }
    }

    /// The text of a string value (invalid UTF-8 repaired), or nil.
    public var stringValue: String? {
        if case .string(let bytes) = self { return bytes.text }
        return nil
    }

    public var integerValue: Int64? {
        switch self {
        case .integer(let i): i
        case .number(let d): Int64(exactly: d)
        default: nil
        }
    }

    public var tableRef: LuaRef? {
        if case .table(let ref) = self { return ref }
        return nil
    }
}

/// The bytes of a Lua string.
public struct LuaBytes: Equatable, Hashable, CustomStringConvertible {
    public var bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { text }
}

extension LuaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral
{
    public init(nilLiteral: ()) { self = .nil }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(stringLiteral value: String) { self = .string(LuaBytes(value)) }
}

/// A reference from Swift to a Lua object, kept in the registry until Swift lets go.
public final class LuaRef: Equatable {
    let owner: LuaState
    let ref: Int32

    init(owner: LuaState, ref: Int32) {
        self.owner = owner
        self.ref = ref
    }

    deinit {
        if !owner.isClosed { luaL_unref(owner.lua.L, caspio_registry_index(), ref) }
    }

    /// Pushes the referenced object onto `lua`'s stack.
    public func push(onto lua: Lua) {
        lua_rawgeti(lua.L, caspio_registry_index(), lua_Integer(ref))
    }

    /// Reads a field of the referenced table without metamethods.
    public func rawField(_ key: String) -> LuaValue {
        let lua = owner.lua
        push(onto: lua)
        lua_pushstring(lua.L, key)
        lua_rawget(lua.L, -2)
        let value = lua.value(at: -1)
        lua.pop(2)
        return value
    }

    /// Reads array item `index` of the referenced table without metamethods.
    public func rawItem(_ index: Int64) -> LuaValue {
        let lua = owner.lua
        push(onto: lua)
        lua_rawgeti(lua.L, -1, index)
        let value = lua.value(at: -1)
        lua.pop(2)
        return value
    }

    public static func == (a: LuaRef, b: LuaRef) -> Bool {
        guard a.owner === b.owner else { return false }
        let lua = a.owner.lua
        a.push(onto: lua)
        b.push(onto: lua)
        let same = lua_rawequal(lua.L, -1, -2) != 0
        lua.pop(2)
        return same
    }
}

// Lua values may travel inside errors, which Swift requires to be Sendable. Like the state
// they belong to, they must only be used on the thread that runs that state.
extension LuaValue: @unchecked Sendable {}
extension LuaRef: @unchecked Sendable {}
