import CLua
import CLuaShim

/// A Swift function callable from Lua. It reads its arguments from the stack of the `Lua` it
/// is given, pushes its results, and says how many; to fail it throws (usually `LuaRaise`).
/// It never calls `lua_error` itself: the C trampoline raises after this frame has returned.
public typealias HostFunction = (Lua) throws -> HostResult

/// What a host function hands back to the trampoline.
public struct HostResult: Sendable {
    let status: Int32
    /// Return the top `count` values of the stack.
    public static func results(_ count: Int32) -> HostResult { HostResult(status: count) }
    public static let none = HostResult(status: 0)
    public static let one = HostResult(status: 1)
    /// Yield the top `count` values from the running coroutine; the values later passed to
    /// `coroutine.resume` become this function's results.
    public static func yield(_ count: Int32) -> HostResult {
        HostResult(status: Int32(CASPIO_YIELD_BASE) - count)
    }
}

/// A failure that a host function reports to Lua.
public enum LuaRaise: Error {
    /// A string error with the caller's `file:line:` prefix, as `luaL_error` makes.
    case message(String)
    /// A string error exactly as given.
    case messageWithoutPosition(String)
    /// Any Lua value as the error object (e.g. a table with fields).
    case value(LuaValue)
    /// The value the function left on top of the stack.
    case valueOnStack
}

final class HostFunctionBox {
    let function: HostFunction
    init(_ function: @escaping HostFunction) { self.function = function }
}
