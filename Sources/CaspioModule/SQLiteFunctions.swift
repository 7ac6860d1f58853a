import CLua
import LuaBridge
import SQLiteLayer

/// caspio.mirror's native half for SQLite targets: a connection as a host object, with
/// `run(sql, ...)` binding the values after the statement (nil is NULL; booleans are 1 and 0)
/// and returning its rows (lists, NULL as nil) and the rows it changed, `exec(sql)` for
/// statements without parameters, and `close()`. A failure is an error naming the file.
enum SQLiteFunctions {
    static let type = "caspio.sqlite"

    static var all: [String: HostFunction] {
        ["sqlite_open": { lua in try open(lua) }]
    }

    private static func open(_ lua: Lua) throws -> HostResult {
        lua.registerObjectType(type, methods: ["run": run, "exec": exec, "close": close])
        guard let path = lua.string(at: 1) else { throw LuaRaise.message("sqlite_open: a path expected") }
        do {
            let connection = try SQLiteConnection(path: path)
            lua.push(object: connection, type: type)
            return .one
        } catch { throw LuaRaise.messageWithoutPosition("sqlite: \(error.description)") }
    }

    private static func connection(_ lua: Lua) throws -> SQLiteConnection {
        guard let connection = lua.object(at: 1, type: type, as: SQLiteConnection.self) else {
            throw LuaRaise.message("a SQLite connection expected (call it as db:run(...))")
        }
        return connection
    }

    private static func value(_ lua: Lua, at index: Int32) throws -> SQLiteValue {
        switch lua.type(at: index) {
        case LUA_TNIL, LUA_TNONE: return .null
        case LUA_TBOOLEAN: return .integer(lua.boolean(at: index) ? 1 : 0)
        case LUA_TNUMBER:
            if lua_isinteger(lua.L, index) != 0, let integer = lua.integer(at: index) { return .integer(integer) }
            return .real(lua.number(at: index) ?? 0)
        case LUA_TSTRING: return .text(lua.string(at: index) ?? "")
        default: throw LuaRaise.message("sqlite: cannot store \(lua.typeName(at: index)) (value \(index - 2))")
        }
    }

    private static func push(_ lua: Lua, _ value: SQLiteValue) {
        switch value {
        case .null: lua.pushNil()
        case .integer(let i): lua.push(i)
        case .real(let d): lua.push(d)
        case .text(let s): lua.push(s)
        case .blob(let b): b.withUnsafeBytes { lua.push(bytes: $0) }
        }
    }

    private static func run(_ lua: Lua) throws -> HostResult {
        let connection = try connection(lua)
        guard let sql = lua.string(at: 2) else { throw LuaRaise.message("sqlite: run(sql, ...) needs the SQL") }
        var values: [SQLiteValue] = []
        if lua.top > 2 { for index in 3...lua.top { values.append(try value(lua, at: index)) } }
        let result: (rows: [[SQLiteValue]], changes: Int)
        do { result = try connection.run(sql, values) } catch {
            throw LuaRaise.messageWithoutPosition("sqlite \(connection.path): \(error.description) (in: \(sql))")
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

    private static func exec(_ lua: Lua) throws -> HostResult {
        let connection = try connection(lua)
        guard let sql = lua.string(at: 2) else { throw LuaRaise.message("sqlite: exec(sql) needs the SQL") }
        do { try connection.execute(sql) } catch {
            throw LuaRaise.messageWithoutPosition("sqlite \(connection.path): \(error.description)")
        }
        return .none
    }

    private static func close(_ lua: Lua) throws -> HostResult {
        try connection(lua).close()
        return .none
    }
}
