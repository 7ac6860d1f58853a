import CLua
import CLuaShim
import CaspioClient
import LuaBridge
import LuaJSON

/// The `caspio` Lua module: what scripts reach as the global `caspio` or `require "caspio"`.
/// Host functions do the I/O; the Lua chunks (`Lua/*.lua`, see ModuleContract.chunks) build
/// the API on top of them.
public enum CaspioModule {
    /// The tool's version.
    public static let version = "0.1.0"

    /// Builds the module and makes it both a global and a loaded package.
    public static func install(into state: LuaState, context: ModuleContext) throws(LuaError) {
        let lua = state.lua
        let base = lua.top
        lua.newTable()
        let module = lua.top
        lua.push(version)
        lua.setField("version", ofTableAt: module)
        LuaJSON.pushModule(lua)
        lua.setField("json", ofTableAt: module)

        pushInternal(lua, context, module: module)
        let shared = lua.top
        for chunk in ModuleContract.chunks {
            do {
                try loadChunk(lua, file: chunk.file, source: chunk.source)
                lua.pushValue(at: module)
                lua.pushValue(at: shared)
                try lua.call(arguments: 2, results: 0)
            } catch {
                lua.top = base
                throw error
            }
        }
        for (name, key) in ModuleContract.registered {
            lua.pushField(name, ofTableAt: shared)
            lua_setfield(lua.L, caspio_registry_index(), key)
        }
        lua.pop()

        lua.pushValue(at: module)
        lua.setGlobalFromTop("caspio")
        lua.setLoadedModuleFromTop("caspio")
    }

    /// A chunk's bytecode, compiled at build time (parsing all the source took most of the
    /// module's start-up); its source when the Lua library linked at run time refuses that
    /// bytecode (another version's format).
    static func loadChunk(_ lua: Lua, file: String, source: [UInt8]) throws(LuaError) {
        let name = ModuleContract.chunkName(file)
        if let bytecode = ModuleBytecode.chunk(named: file), (try? lua.load(bytecode: bytecode, name: name)) != nil { return }
        try lua.load(source, name: name)
    }

    /// How an uncaught error is reported: a problem of the setup (missing settings) or of the
    /// input data is not a script bug, so it comes without the traceback that would point at
    /// the script.
    public static func report(_ error: LuaError) -> String {
        if let table = error.value.tableRef, table.rawField(ModuleContract.ErrorField.setup) == .boolean(true) { return error.message }
        // Bad input data (a CSV line, a cell) names where it is: the fix is in the data.
        if let table = error.value.tableRef, table.rawField(ModuleContract.ErrorField.kind) == .string(CaspioError.Kind.input.rawValue) {
            return error.message
        }
        return error.description
    }

    /// The table every chunk shares: the host functions, the JSON module, the error
    /// metatable; the chunks add their own helpers (raise, usage, segment, the pager...).
    private static func pushInternal(_ lua: Lua, _ context: ModuleContext, module: Int32) {
        lua.newTable(fieldCapacity: 16)
        let functions = NativeFunctions.all(context)
        lua.newTable(fieldCapacity: Int32(functions.count))
        for (name, function) in functions {
            lua.push(function: function)
            lua.setField(name, ofTableAt: -2)
        }
        lua.setField(ModuleContract.Internal.native, ofTableAt: -2)
        lua.pushField("json", ofTableAt: module)
        lua.setField(ModuleContract.Internal.json, ofTableAt: -2)
        luaL_newmetatable(lua.L, ModuleContract.errorMetatable)
        lua.setField(ModuleContract.Internal.errorMetatable, ofTableAt: -2)
        // The error kinds by name, so that the Lua half raises only kinds Swift knows.
        lua.newTable(fieldCapacity: Int32(CaspioError.Kind.allCases.count))
        for kind in CaspioError.Kind.allCases {
            lua.push(kind.rawValue)
            lua.setField(kind.rawValue, ofTableAt: -2)
        }
        lua.setField(ModuleContract.Internal.errorKinds, ofTableAt: -2)
        lua.push(Int64(RequestTarget.maxURILength))
        lua.setField(ModuleContract.Internal.maxURILength, ofTableAt: -2)
    }
}
