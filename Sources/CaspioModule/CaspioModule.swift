import CLua
import LuaBridge
import LuaJSON

/// The `caspio` Lua module: what scripts reach as the global `caspio` or `require "caspio"`.
/// Host functions do the I/O; `Lua/prelude.lua` builds the API on top of them.
public enum CaspioModule {
    /// The tool's version.
    public static let version = "0.1.0"

    /// Builds the module and makes it both a global and a loaded package.
    public static func install(into state: LuaState, context: ModuleContext) throws(LuaError) {
        let lua = state.lua
        lua.newTable()
        let module = lua.top
        lua.push(version)
        lua.setField("version", ofTableAt: module)
        LuaJSON.pushModule(lua)
        lua.setField("json", ofTableAt: module)

        try lua.load(PackageResources.prelude_lua, name: "=[caspio]")
        lua.pushValue(at: module)
        pushNatives(lua, context)
        lua.pushField("json", ofTableAt: module)
        try lua.call(arguments: 3, results: 0)

        lua.pushValue(at: module)
        lua.setGlobalFromTop("caspio")
        lua.setLoadedModuleFromTop("caspio")
    }

    /// How an uncaught error is reported: a problem of the setup (missing settings) is not a
    /// script bug, so it comes without the traceback that would point at the script.
    public static func report(_ error: LuaError) -> String {
        if let table = error.value.tableRef, table.rawField("setup") == .boolean(true) { return error.message }
        return error.description
    }

    private static func pushNatives(_ lua: Lua, _ context: ModuleContext) {
        let functions = NativeFunctions.all(context)
        lua.newTable(fieldCapacity: Int32(functions.count + 1))
        for (name, function) in functions {
            lua.push(function: function)
            lua.setField(name, ofTableAt: -2)
        }
        luaL_newmetatable(lua.L, LuaConversions.errorMetatable)
        lua.setField("error_metatable", ofTableAt: -2)
    }
}
