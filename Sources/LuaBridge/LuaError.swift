import CLua

/// A Lua error seen from Swift: what failed, where, and the original error object.
public struct LuaError: Error, CustomStringConvertible {
    public enum Status: Equatable, Sendable {
        case runtime, syntax, memory, errorHandler, file, other(Int32)
        init(_ code: Int32) {
            switch code {
            case LUA_ERRRUN: self = .runtime
            case LUA_ERRSYNTAX: self = .syntax
            case LUA_ERRMEM: self = .memory
            case LUA_ERRERR: self = .errorHandler
            case LUA_ERRERR + 1: self = .file  // LUA_ERRFILE, a macro Swift cannot import
            default: self = .other(code)
            }
        }
    }

    public let status: Status
    /// The message: the string error, or `__tostring` of a table error.
    public let message: String
    /// "stack traceback:\n\t…" for runtime errors; empty for load errors.
    public let traceback: String
    /// The error object itself; a table keeps its fields.
    public let value: LuaValue

    public var description: String { traceback.isEmpty ? message : message + "\n" + traceback }
}
