import CLua
import CLuaShim

/// Owns a `lua_State` with the standard libraries open. Everything else works through `Lua`,
/// a non-owning view that is also what host functions receive (possibly for a coroutine).
public final class LuaState {
    /// The view of the main thread.
    public let lua: Lua
    private var closed = false

    /// A state with all standard libraries. `ignoreEnvironment` is lua.c's `-E`: the package
    /// library then ignores LUA_PATH and LUA_CPATH.
    public init(ignoreEnvironment: Bool = false) {
        LuaState.installCallbacksOnce
        guard let L = luaL_newstate() else {
            fatalError("Lua could not allocate a state (out of memory)")
        }
        lua = Lua(L)
        // Host functions find their owner through the state's extra space; coroutines inherit it.
        caspio_extraspace(L).pointee = Unmanaged.passUnretained(self).toOpaque()
        if ignoreEnvironment {
            lua_pushboolean(L, 1)
            lua_setfield(L, caspio_registry_index(), "LUA_NOENV")
        }
        luaL_openlibs(L)
    }

    /// The release of Lua this was built against, e.g. "Lua 5.4.4".
    public static var luaRelease: String { String(cString: caspio_lua_release()) }

    deinit { close() }

    /// Closes the state: pending `__close` and `__gc` metamethods run now.
    public func close() {
        guard !closed else { return }
        closed = true
        lua_close(lua.L)
    }

    public var isClosed: Bool { closed }

    /// The owner of a thread's view, as stored at creation.
    static func owner(of L: OpaquePointer) -> LuaState {
        Unmanaged<LuaState>.fromOpaque(caspio_extraspace(L).pointee!).takeUnretainedValue()
    }

    /// Registers the Swift entry points with the C trampoline once per process.
    private static let installCallbacksOnce: Void = {
        caspio_set_callbacks(dispatchHostFunction, releaseHostContext)
    }()
}

/// Drops the retain a userdata held on a Swift context (a function box or a host object).
private func releaseHostContext(_ context: UnsafeMutableRawPointer?) {
    guard let context else { return }
    Unmanaged<AnyObject>.fromOpaque(context).release()
}

/// Runs a Swift host function and translates its outcome into a status for the trampoline.
private func dispatchHostFunction(_ L: OpaquePointer?, _ context: UnsafeMutableRawPointer?) -> Int32 {
    let box = Unmanaged<HostFunctionBox>.fromOpaque(context!).takeUnretainedValue()
    let lua = Lua(L!)
    do {
        let result = try box.function(lua)
        return result.status
    } catch let raised as LuaRaise {
        switch raised {
        case .message(let text):
            lua.push(text)
            return Int32(CASPIO_RAISE_WITH_POSITION)
        case .messageWithoutPosition(let text):
            lua.push(text)
            return Int32(CASPIO_RAISE_VALUE)
        case .value(let value):
            lua.push(value)
            return Int32(CASPIO_RAISE_VALUE)
        case .valueOnStack:
            return Int32(CASPIO_RAISE_VALUE)
        }
    } catch let error as LuaError {
        // A Lua error caught by a nested pcall: re-raise the original error object.
        lua.push(error.value)
        return Int32(CASPIO_RAISE_VALUE)
    } catch {
        lua.push(String(describing: error))
        return Int32(CASPIO_RAISE_WITH_POSITION)
    }
}
