import CLua
import CaspioClient
import LuaBridge
import SQLiteLayer

/// caspio.mirror's native half: a target's connection as a host object, with `run(sql, ...)`
/// binding the values after the statement (nil is NULL; booleans are 1 and 0) and returning
/// its rows (lists, NULL as nil) and the rows it changed, `exec(sql)` for statements without
/// parameters, `append(table, columns, values, n)` for `n` rows in bulk (`values` a list of
/// them one after another, nil as NULL; false when the database has no bulk way), and `close()`. A failure is an error naming the database.
enum TargetFunctions {
    static let type = "caspio.sqltarget"

    static func all(_ context: ModuleContext) -> [String: HostFunction] {
        [
            "sqlite_open": { lua in
                guard let path = lua.string(at: 1) else { throw LuaRaise.message("sqlite_open: a path expected") }
                return try push(lua) {
                    do { return try SQLiteConnection(path: path) } catch { throw LuaRaise.messageWithoutPosition("sqlite: \(error)") }
                }
            },
            // PostgreSQL is the commands' (their target links postgres-nio); a failure to
            // connect is a config error that names the target without its password.
            "postgres_open": { lua in
                guard let url = lua.string(at: 1) else { throw LuaRaise.message("postgres_open: a URL expected") }
                return try push(lua) {
                    try NativeFunctions.raising(lua) { () throws(CaspioError) -> any TargetDatabase in
                        guard let open = context.openPostgres else {
                            throw CaspioError(.config, "PostgreSQL targets are opened by the caspio command (caspio run, caspio mirror); use sqlite:PATH here")
                        }
                        return try open(url)
                    }
                }
            },
        ]
    }

    private final class Handle {
        let database: any TargetDatabase
        init(_ database: any TargetDatabase) { self.database = database }
    }

    private static func push(_ lua: Lua, _ open: () throws -> any TargetDatabase) throws -> HostResult {
        lua.registerObjectType(type, methods: ["run": run, "exec": exec, "append": append, "close": close])
        lua.push(object: Handle(try open()), type: type)
        return .one
    }

    private static func database(_ lua: Lua) throws -> any TargetDatabase {
        guard let handle = lua.object(at: 1, type: type, as: Handle.self) else {
            throw LuaRaise.message("a target's connection expected (call it as db:run(...))")
        }
        return handle.database
    }

    private static func value(_ lua: Lua, at index: Int32) throws -> SQLValue {
        switch lua.type(at: index) {
        case LUA_TNIL, LUA_TNONE: return .null
        case LUA_TBOOLEAN: return .integer(lua.boolean(at: index) ? 1 : 0)
        case LUA_TNUMBER:
            if lua_isinteger(lua.L, index) != 0, let integer = lua.integer(at: index) { return .integer(Int(integer)) }
            return .real(lua.number(at: index) ?? 0)
        case LUA_TSTRING: return .text(lua.string(at: index) ?? "")
        default: throw LuaRaise.message("sql: cannot store \(lua.typeName(at: index)) (value \(index - 2))")
        }
    }

    private static func push(_ lua: Lua, _ value: SQLValue) {
        switch value {
        case .null: lua.pushNil()
        case .integer(let i): lua.push(Int64(i))
        case .real(let d): lua.push(d)
        case .text(let s): lua.push(s)
        case .blob(let b): b.withUnsafeBytes { lua.push(bytes: $0) }
        }
    }

    private static func run(_ lua: Lua) throws -> HostResult {
        let database = try database(lua)
        guard let sql = lua.string(at: 2) else { throw LuaRaise.message("sql: run(sql, ...) needs the SQL") }
        var values: [SQLValue] = []
        if lua.top > 2 { for index in 3...lua.top { values.append(try value(lua, at: index)) } }
        let result: (rows: [[SQLValue]], changes: Int)
        do { result = try database.run(sql, values) } catch {
            throw LuaRaise.messageWithoutPosition("\(database.location): \(error) (in: \(sql))")
        }
        lua.ensureStack(4)
        lua.newTable(arrayCapacity: Int32(result.rows.count))
        for (rowIndex, row) in result.rows.enumerated() {
            lua.newTable(arrayCapacity: Int32(row.count))
            for (column, value) in row.enumerated() where value != .null {
                push(lua, value)
                lua.setItem(Int64(column + 1), ofTableAt: -2)
            }
            lua.setItem(Int64(rowIndex + 1), ofTableAt: -2)
        }
        lua.push(result.changes)
        return .results(2)
    }

    private static func append(_ lua: Lua) throws -> HostResult {
        let database = try database(lua)
        guard let table = lua.string(at: 2), lua.type(at: 3) == LUA_TTABLE, lua.type(at: 4) == LUA_TTABLE,
            let rows = lua.integer(at: 5)
        else { throw LuaRaise.message("sql: append(table, columns, values, rows) expected") }
        var columns: [String] = []
        for index in 0..<lua.rawLength(at: 3) {
            lua_rawgeti(lua.L, 3, lua_Integer(index + 1))
            defer { lua.pop() }
            guard let name = lua.string(at: -1) else { throw LuaRaise.message("sql: append: column \(index + 1) is not a name") }
            columns.append(name)
        }
        // Bad counts are an error, not a trap (a negative range, an overflowing product). The
        // values may hold nils (NULLs), so their table's length says nothing of the count.
        let (count, overflow) = Int(rows).multipliedReportingOverflow(by: columns.count)
        guard rows >= 0, !overflow else { throw LuaRaise.message("sql: append: \(rows) rows is no row count") }
        var values: [SQLValue] = []
        values.reserveCapacity(min(count, 1 << 16))
        for index in 0..<count {
            lua_rawgeti(lua.L, 4, lua_Integer(index + 1))
            defer { lua.pop() }
            values.append(try value(lua, at: -1))
        }
        let done: Bool
        do { done = try database.append(into: table, columns: columns, values: values) } catch {
            throw LuaRaise.messageWithoutPosition("\(database.location): \(error) (appending to \(table))")
        }
        lua.push(done)
        return .one
    }

    private static func exec(_ lua: Lua) throws -> HostResult {
        let database = try database(lua)
        guard let sql = lua.string(at: 2) else { throw LuaRaise.message("sql: exec(sql) needs the SQL") }
        do { try database.execute(sql) } catch {
            throw LuaRaise.messageWithoutPosition("\(database.location): \(error)")
        }
        return .none
    }

    private static func close(_ lua: Lua) throws -> HostResult {
        try database(lua).close()
        return .none
    }
}
