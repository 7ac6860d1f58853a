import CLua
import LuaBridge

/// What the Swift and Lua halves of the module agree on, named here once. The Lua chunks
/// receive what they need of it through their internal table, never as repeated strings.
public enum ModuleContract {
    /// Registry key of the function that pops the next `caspio.atexit` handler (nil when none
    /// is left); the runner calls it after the script, however the script ended.
    public static let nextAtexitKey = "caspio.next_atexit"

    /// Registry key of the function that gives the columns, in their table's order, of a list
    /// that `t:all` read (nil for any other value): the REPL's record tables use it.
    public static let columnsOfKey = "caspio.columns_of"
    /// Registry key of `internal.orders_for`: records' field orders, for the REPL's printer.
    public static let ordersForKey = "caspio.orders_for"

    /// The internal functions the host keeps in the registry once the chunks are loaded, each
    /// under its key.
    static let registered: [(internal: String, key: String)] = [
        ("next_atexit", nextAtexitKey), ("columns_of", columnsOfKey), ("orders_for", ordersForKey),
    ]

    /// Fields of the internal table that the host fills before the chunks load.
    enum Internal {
        /// The host functions (NativeFunctions).
        static let native = "native"
        static let json = "json"
        /// The metatable of error tables.
        static let errorMetatable = "error_metatable"
        /// `CaspioError.Kind`'s names, name to name: `internal.kinds.input`.
        static let errorKinds = "kinds"
        /// The longest request URI the client sends (RequestTarget's): what batches of
        /// conditions must fit in.
        static let maxURILength = "max_uri_length"
    }

    /// Fields of an error table that the host reads (the rest are CaspioError's, by name).
    public enum ErrorField {
        public static let kind = "kind"
        public static let setup = "setup"
    }

    /// Registered name of the metatable of error tables (also their `__name`).
    static let errorMetatable = "caspio.error"

    /// The start of every module chunk's name: the frames that error positions skip.
    static let chunkPrefix = "=[caspio/"

    /// The Lua half, in load order: each chunk may use what the ones before it put in the
    /// internal table. Chunks are called as `chunk(caspio, internal)`.
    static let chunks: [(file: String, source: [UInt8])] = [
        ("errors.lua", PackageResources.errors_lua),
        ("options.lua", PackageResources.options_lua),
        ("requests.lua", PackageResources.requests_lua),
        ("dialect.lua", PackageResources.dialect_lua),
        ("objects.lua", PackageResources.objects_lua),
        ("dates.lua", PackageResources.dates_lua),
        ("where.lua", PackageResources.where_lua),
        ("paging.lua", PackageResources.paging_lua),
        ("tables.lua", PackageResources.tables_lua),
        ("sql.lua", PackageResources.sql_lua),
        ("files.lua", PackageResources.files_lua),
        ("resources.lua", PackageResources.resources_lua),
        ("design.lua", PackageResources.design_lua),
        ("attachments.lua", PackageResources.attachments_lua),
        ("passwords.lua", PackageResources.passwords_lua),
        ("folders.lua", PackageResources.folders_lua),
        ("webhooks.lua", PackageResources.webhooks_lua),
        ("account.lua", PackageResources.account_lua),
        ("running.lua", PackageResources.running_lua),
        ("csv.lua", PackageResources.csv_lua),
        ("columns.lua", PackageResources.columns_lua),
        ("show.lua", PackageResources.show_lua),
        ("upsert.lua", PackageResources.upsert_lua),
        ("export.lua", PackageResources.export_lua),
        ("mirrortargets.lua", PackageResources.mirrortargets_lua),
        ("mirror.lua", PackageResources.mirror_lua),
        // Sets internal.before_send (requests.lua's hook) and a caspio.atexit handler.
        ("dryrun.lua", PackageResources.dryrun_lua),
    ]

    /// "[caspio/requests.lua]" in messages and tracebacks.
    static func chunkName(_ file: String) -> String { chunkPrefix + file + "]" }

    /// The error for a mistake of the script, raised at the script's line: the first Lua
    /// function on the stack outside the module, skipping C functions such as pcall, so that
    /// a check is right however it was reached (directly, through other module functions,
    /// or a tail call). Lua's `internal.usage` comes here too.
    static func usage(_ lua: Lua, _ message: String) -> LuaRaise {
        .messageWithoutPosition(scriptPosition(lua) + message)
    }

    /// "file:line: " of that function, or "" when there is none (a module function called
    /// straight from the host).
    private static func scriptPosition(_ lua: Lua) -> String {
        lua.ensureStack(2)
        var frame = lua_Debug()
        var level: Int32 = 0
        while lua_getstack(lua.L, level, &frame) != 0 {
            lua_getinfo(lua.L, "S", &frame)
            if String(cString: frame.what) != "C", !String(cString: frame.source).hasPrefix(chunkPrefix) {
                luaL_where(lua.L, level)
                defer { lua.pop() }
                return lua.string(at: -1) ?? ""
            }
            level += 1
        }
        return ""
    }
}
