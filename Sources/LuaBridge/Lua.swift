import CLua
import CLuaShim

/// A non-owning view of one Lua thread: stack access, values both ways, loading and calling.
/// Cheap to copy; valid while its `LuaState` is open.
public struct Lua {
    public let L: OpaquePointer

    public init(_ L: OpaquePointer) { self.L = L }

    /// The state that owns this thread.
    public var owner: LuaState { LuaState.owner(of: L) }

    // MARK: Stack

    public var top: Int32 {
        get { lua_gettop(L) }
        nonmutating set { lua_settop(L, newValue) }
    }

    public func pop(_ n: Int32 = 1) { caspio_pop(L, n) }

    public func absoluteIndex(_ index: Int32) -> Int32 { lua_absindex(L, index) }

    /// Makes room for `n` more slots; false when Lua cannot grow the stack.
    @discardableResult
    public func ensureStack(_ n: Int32) -> Bool { lua_checkstack(L, n) != 0 }

    public func type(at index: Int32) -> Int32 { lua_type(L, index) }

    public func isNoneOrNil(_ index: Int32) -> Bool { caspio_isnoneornil(L, index) != 0 }

    // MARK: Pushing

    public func pushNil() { lua_pushnil(L) }
    public func push(_ value: Bool) { lua_pushboolean(L, value ? 1 : 0) }
    public func push(_ value: Int64) { lua_pushinteger(L, value) }
    public func push(_ value: Int) { lua_pushinteger(L, lua_Integer(value)) }
    public func push(_ value: Double) { lua_pushnumber(L, value) }

    public func push(_ value: String) {
        var value = value
        value.withUTF8 { buffer in
            _ = buffer.withMemoryRebound(to: CChar.self) { lua_pushlstring(L, $0.baseAddress, $0.count) }
        }
    }

    public func push(bytes: UnsafeRawBufferPointer) {
        _ = lua_pushlstring(L, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
    }

    public func push(_ bytes: LuaBytes) {
        bytes.bytes.withUnsafeBytes { push(bytes: $0) }
    }

    public func push(_ value: LuaValue) {
        switch value {
        case .nil: pushNil()
        case .boolean(let b): push(b)
        case .integer(let i): push(i)
        case .number(let d): push(d)
        case .string(let s): push(s)
        case .table(let r), .function(let r), .userdata(let r), .thread(let r): r.push(onto: self)
        case .lightUserdata(let p): lua_pushlightuserdata(L, p)
        }
    }

    /// Pushes a Swift function as a Lua function.
    public func push(function: @escaping HostFunction) {
        let box = HostFunctionBox(function)
        caspio_push_swift_function(L, Unmanaged.passRetained(box).toOpaque())
    }

    public func newTable(arrayCapacity: Int32 = 0, fieldCapacity: Int32 = 0) {
        lua_createtable(L, arrayCapacity, fieldCapacity)
    }

    public func pushValue(at index: Int32) { lua_pushvalue(L, index) }

    /// Moves the top value to `index`, shifting the values above it up.
    public func moveTop(to index: Int32) { caspio_insert(L, index) }
    public func pushGlobals() { lua_rawgeti(L, caspio_registry_index(), lua_Integer(LUA_RIDX_GLOBALS)) }

    // MARK: Reading

    /// Reads the value at `index` without converting or raising.
    public func value(at index: Int32) -> LuaValue {
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .nil
        case LUA_TBOOLEAN: return .boolean(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            if lua_isinteger(L, index) != 0 { return .integer(lua_tointegerx(L, index, nil)) }
            return .number(lua_tonumberx(L, index, nil))
        case LUA_TSTRING: return .string(LuaBytes(bytes(at: index) ?? []))
        case LUA_TTABLE: return .table(reference(at: index))
        case LUA_TFUNCTION: return .function(reference(at: index))
        case LUA_TUSERDATA: return .userdata(reference(at: index))
        case LUA_TLIGHTUSERDATA: return .lightUserdata(lua_touserdata(L, index))
        case LUA_TTHREAD: return .thread(reference(at: index))
        default: return .nil
        }
    }

    /// The bytes of the string (or number, converted in place) at `index`.
    public func bytes(at index: Int32) -> [UInt8]? {
        var length = 0
        guard let pointer = caspio_tostring(L, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: pointer, count: length))
    }

    /// The string at `index` as text (invalid UTF-8 repaired), without number conversion.
    public func string(at index: Int32) -> String? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let pointer = caspio_tostring(L, index, &length) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }

    public func integer(at index: Int32) -> Int64? {
        var isNumber: Int32 = 0
        let value = caspio_tointeger(L, index, &isNumber)
        return isNumber != 0 ? value : nil
    }

    public func number(at index: Int32) -> Double? {
        var isNumber: Int32 = 0
        let value = lua_tonumberx(L, index, &isNumber)
        return isNumber != 0 ? value : nil
    }

    public func boolean(at index: Int32) -> Bool { lua_toboolean(L, index) != 0 }

    /// `tostring(v)` with metamethods, protected: a failing `__tostring` gives a description.
    public func describe(at index: Int32) -> String {
        var length = 0
        if let pointer = caspio_safe_tolstring(L, index, &length) {
            let text = String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
            pop()
            return text
        }
        let problem = string(at: -1) ?? "?"
        pop()
        return "(\(typeName(at: index)) whose __tostring failed: \(problem))"
    }

    public func typeName(at index: Int32) -> String { String(cString: lua_typename(L, lua_type(L, index))) }

    /// A registry reference to the value at `index` (the stack is unchanged).
    public func reference(at index: Int32) -> LuaRef {
        lua_pushvalue(L, index)
        let ref = luaL_ref(L, caspio_registry_index())
        return LuaRef(owner: owner, ref: ref)
    }

    // MARK: Tables and globals (raw access: no metamethods, so nothing can raise)

    public func setGlobal(_ name: String, _ value: LuaValue) {
        push(value)
        setGlobalFromTop(name)
    }

    /// Pops the top value into global `name`.
    public func setGlobalFromTop(_ name: String) {
        pushGlobals()
        caspio_insert(L, -2)
        lua_setfield(L, -2, name)
        pop()
    }

    /// Pops the top value into `package.loaded[name]`, so `require(name)` returns it.
    public func setLoadedModuleFromTop(_ name: String) {
        lua_getfield(L, caspio_registry_index(), LUA_LOADED_TABLE)
        caspio_insert(L, -2)
        lua_setfield(L, -2, name)
        pop()
    }

    public func getGlobal(_ name: String) -> LuaValue {
        pushGlobals()
        lua_pushstring(L, name)
        lua_rawget(L, -2)
        let value = value(at: -1)
        pop(2)
        return value
    }

    /// Pops the top value into field `key` of the table at `table`.
    public func setField(_ key: String, ofTableAt table: Int32) {
        let table = absoluteIndex(table)
        push(key)
        caspio_insert(L, -2)
        lua_rawset(L, table)
    }

    /// Pushes field `key` of the table at `table` (raw).
    @discardableResult
    public func pushField(_ key: String, ofTableAt table: Int32) -> Int32 {
        let table = absoluteIndex(table)
        push(key)
        return lua_rawget(L, table)
    }

    /// Pops the top value into item `index` of the table at `table`.
    public func setItem(_ index: Int64, ofTableAt table: Int32) { lua_rawseti(L, table, index) }

    public func rawLength(at index: Int32) -> Int { Int(lua_rawlen(L, index)) }

    // MARK: Host objects

    /// Registers (once) a type of host object: methods reachable through `__index`, and any
    /// metamethods. `__gc` always releases the Swift object; leaves nothing on the stack.
    public func registerObjectType(
        _ name: String, methods: [String: HostFunction] = [:], metamethods: [String: HostFunction] = [:]
    ) {
        if caspio_new_object_metatable(L, name) != 0 {
            if !methods.isEmpty {
                newTable(fieldCapacity: Int32(methods.count))
                for (key, function) in methods {
                    push(function: function)
                    setField(key, ofTableAt: -2)
                }
                setField("__index", ofTableAt: -2)
            }
            for (key, function) in metamethods where key != "__gc" {
                push(function: function)
                setField(key, ofTableAt: -2)
            }
        }
        pop()
    }

    /// Pushes `object` as a userdata of a registered type; Lua's `__gc` releases it.
    public func push<T: AnyObject>(object: T, type name: String) {
        caspio_push_object(L, Unmanaged.passRetained(object).toOpaque(), name)
    }

    /// The host object at `index` if it is of type `name` and of Swift type `T`.
    public func object<T: AnyObject>(at index: Int32, type name: String, as: T.Type = T.self) -> T? {
        guard let context = caspio_to_object(L, index, name) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(context).takeUnretainedValue() as? T
    }

    // MARK: Loading and calling

    /// Compiles a chunk and pushes it as a function. `name` is the chunk name Lua shows in
    /// messages (`@file` for files, `=stdin` for literal names).
    public func load(_ source: [UInt8], name: String) throws(LuaError) {
        let status = source.withUnsafeBytes { buffer in
            caspio_loadbuffer(L, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count, name)
        }
        if status != LUA_OK { throw popError(status: status, traceback: false) }
    }

    /// Loads a precompiled chunk (`lua_dump`'s output) and pushes it as a function; text is
    /// refused, and so is bytecode of another Lua version's format. `name` is for messages
    /// only: the chunk keeps the name it was compiled with.
    public func load(bytecode: [UInt8], name: String) throws(LuaError) {
        let status = bytecode.withUnsafeBytes { buffer in
            luaL_loadbufferx(L, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count, name, "b")
        }
        if status != LUA_OK { throw popError(status: status, traceback: false) }
    }

    /// Compiles a file (skipping a first `#` line, as lua.c does) and pushes it as a function.
    public func load(file path: String?) throws(LuaError) {
        let status = luaL_loadfilex(L, path, nil)
        if status != LUA_OK { throw popError(status: status, traceback: false) }
    }

    /// Calls the function below `argumentCount` arguments with `lua_pcall` and a traceback
    /// handler. On failure the stack is back to where it was without function and arguments.
    public func call(arguments argumentCount: Int32, results resultCount: Int32 = LUA_MULTRET) throws(LuaError) {
        let status = caspio_pcall(L, argumentCount, resultCount)
        if status != LUA_OK { throw popError(status: status, traceback: true) }
    }

    /// Calls a Lua function value with arguments and returns its results.
    @discardableResult
    public func call(_ function: LuaValue, _ arguments: [LuaValue] = []) throws(LuaError) -> [LuaValue] {
        let base = top
        push(function)
        for argument in arguments { push(argument) }
        try call(arguments: Int32(arguments.count))
        let newTop = top
        let results = newTop > base ? (base + 1...newTop).map { value(at: $0) } : []
        top = base
        return results
    }

    private func popError(status: Int32, traceback: Bool) -> LuaError {
        let object = value(at: -1)
        var message: String
        if lua_type(L, -1) == LUA_TSTRING || lua_type(L, -1) == LUA_TNUMBER {
            message = string(at: -1) ?? describe(at: -1)
        } else if luaL_getmetafield(L, -1, "__tostring") != LUA_TNIL {
            pop()
            message = describe(at: -1)
        } else {
            message = "(error object is a \(typeName(at: -1)) value)"
        }
        pop()
        var trace = ""
        if traceback {
            lua_getfield(L, caspio_registry_index(), CASPIO_TRACEBACK_KEY)
            trace = string(at: -1) ?? ""
            pop()
            lua_pushnil(L)
            lua_setfield(L, caspio_registry_index(), CASPIO_TRACEBACK_KEY)
            // The handler's traceback starts with the message; keep only the trace itself.
            if let start = trace.utf8.firstRange(of: "stack traceback:".utf8)?.lowerBound {
                trace = String(trace[start...])
            }
        }
        return LuaError(status: LuaError.Status(status), message: message, traceback: trace, value: object)
    }
}
