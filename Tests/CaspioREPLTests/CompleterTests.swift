import CaspioREPL
import LuaBridge
import Testing

/// Completion of globals, fields, methods through metatables, string keys and table names.
@Suite struct CompleterTests {
    let state = LuaState()

    func complete(_ line: String, word: String, names: [String]? = nil) -> [String] {
        let start = line.utf8.count - word.utf8.count
        return Completer(lua: state.lua, tableNames: { names }).candidates(line: line, start: start, end: line.utf8.count)
    }

    func setUp() {
        _ = Evaluator(lua: state.lua).evaluate("""
            caspio = setmetatable({ records = 1, refresh = print, request = print, table = print }, { __index = function() end })
            local T = {}; T.__index = T; function T:insert() end; function T:index() end
            t = setmetatable({ name = 'x' }, T)
            conf = { ['base url'] = 1, base_id = 2 }
            """)
    }

    @Test func globalsFieldsAndMethods() {
        setUp()
        #expect(complete("caspio.re", word: "caspio.re") == ["caspio.records", "caspio.refresh", "caspio.request"])
        #expect(complete("x = t:in", word: "t:in") == ["t:index", "t:insert"])
        #expect(complete("t.na", word: "t.na") == ["t.name"])
        #expect(complete("prin", word: "prin") == ["print"])
        #expect(complete("whi", word: "whi") == ["while"])
        #expect(complete("string.up", word: "string.up") == ["string.upper"])
    }

    @Test func stringKeysAndTableNames() {
        setUp()
        #expect(complete("conf[\"ba", word: "ba") == ["base url", "base_id"])
        #expect(complete("caspio.table(\"Cu", word: "Cu", names: ["Customers", "Orders", "Cups"]) == ["Cups", "Customers"])
        #expect(complete("caspio.table('", word: "", names: ["B", "A"]) == ["A", "B"])
    }
}
