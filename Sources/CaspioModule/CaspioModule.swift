import LuaBridge
import LuaJSON

/// The `caspio` Lua module: what scripts reach as the global `caspio` or `require "caspio"`.
public enum CaspioModule {
    /// The tool's version.
    public static let version = "0.1.0"

    /// Builds the module and makes it both a global and a loaded package.
    public static func install(into state: LuaState) {
        let lua = state.lua
        lua.newTable()
        lua.push(version)
        lua.setField("version", ofTableAt: -2)
        LuaJSON.pushModule(lua)
        lua.setField("json", ofTableAt: -2)

        lua.pushValue(at: -1)
        lua.setGlobalFromTop("caspio")
        lua.setLoadedModuleFromTop("caspio")
    }
}
