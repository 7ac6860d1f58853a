import CLua
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import LuaBridge

/// caspio.inspect and caspio.print_table's native half: the REPL's printer and the record
/// table, for scripts.
public enum ShowFunctions {
    static var all: [String: HostFunction] { [
        // inspect(value, depth, items, width, orders) -> text
        "inspect": { lua in
            var printer = Pretty()
            if let depth = lua.integer(at: 2) { printer.maxDepth = Int(depth) }
            if let items = lua.integer(at: 3) { printer.maxItems = Int(items) }
            if let width = lua.integer(at: 4) { printer.width = Int(width) }
            if lua.type(at: 5) == LUA_TTABLE { printer.orders = 5 }
            lua.push(printer.render(lua, at: 1))
            return .one
        },
        // record_table(rows, columns, width, max_rows) -> text | nil
        "record_table": { lua in
            var table = RecordTable(width: lua.integer(at: 3).map(Int.init) ?? terminalWidth())
            if let rows = lua.integer(at: 4) { table.maxRows = Int(rows) }
            if lua.type(at: 2) == LUA_TTABLE {
                table.columns = (1...max(1, lua.rawLength(at: 2))).compactMap { i in
                    lua_rawgeti(lua.L, 2, lua_Integer(i))
                    defer { lua.pop() }
                    return lua.string(at: -1)
                }
            }
            guard let text = table.render(lua, at: 1) else { return .none }
            lua.push(text)
            return .one
        },
    ] }

    /// The width of the terminal on stdout, else $COLUMNS, else 100.
    public static func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        if let columns = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), columns > 0 { return columns }
        return 100
    }
}
