import CaspioModule
import CaspioREPL
import LuaBridge
import LuaJSON
import Testing

/// The printing rules: sorted keys, arrays, null, cycles, limits, responses, colours.
@Suite struct PrettyTests {
    let state = LuaState()

    func show(_ expression: String, _ pretty: Pretty = Pretty()) -> String {
        let lua = state.lua
        LuaJSON.pushModule(lua)
        lua.setGlobalFromTop("json")
        guard case .values(let values) = Evaluator(lua: lua).evaluate("return " + expression) else { return "<error>" }
        return pretty.render(lua, values)
    }

    @Test func scalars() {
        #expect(show("1, 2.5, 'a\\n\"b', true, nil") == "1\t2.5\t\"a\\n\\\"b\"\ttrue\tnil")
        #expect(show("json.null") == "null")
        #expect(show("print").contains("function"))
    }

    @Test func tablesHaveSortedKeysAndArraysStayArrays() {
        #expect(show("{ b = 1, a = 2, ['x y'] = 3, [10] = 4 }") == "{ a = 2, b = 1, [\"x y\"] = 3, [10] = 4 }")
        #expect(show("{ 'x', 'y', { z = json.null } }") == "{ \"x\", \"y\", { z = null } }")
        #expect(show("{}") == "{}")
        #expect(show("json.decode('[]')") == "{}")
    }

    @Test func cyclesDepthAndItemLimits() {
        #expect(show("(function() local t = { name = 't' }; t.self = t; return t end)()") == "{ name = \"t\", self = <cycle> }")
        var shallow = Pretty()
        shallow.maxDepth = 2
        #expect(show("{ a = { b = { c = 1 } } }", shallow) == "{ a = { b = {...} } }")
        var few = Pretty()
        few.maxItems = 3
        #expect(show("{ 1, 2, 3, 4, 5 }", few) == "{ 1, 2, 3, ... (2 more) }")
    }

    @Test func longStringsAreCutWithTheirLength() {
        var short = Pretty()
        short.maxString = 5
        #expect(show("('abcdefgh')", short) == "\"abcde\"... (8 bytes)")
    }

    @Test func wideTablesGoOnePerLine() {
        let text = show("{ alpha = string.rep('a', 40), beta = string.rep('b', 40) }")
        #expect(text == "{\n  alpha = \"\(String(repeating: "a", count: 40))\",\n  beta = \"\(String(repeating: "b", count: 40))\"\n}")
    }

    @Test func responsesShowStatusRequestIdAndJSON() {
        let response = "{ status = 200, headers = { ['content-type'] = 'application/json' }, body = '{\"Result\":[1]}', json = { Result = { 1 } }, request_id = 'abc' }"
        #expect(show(response) == "HTTP 200 (request abc)\n{ Result = { 1 } }")
        #expect(show("{ status = 204, headers = {}, body = '' }") == "HTTP 204")
    }

    @Test func tokensAreRedacted() {
        var pretty = Pretty()
        pretty.secrets = [Array("abcdefgh12345".utf8)]
        #expect(show("{ h = 'Bearer abcdefgh12345', n = 1 }", pretty) == "{ h = <redacted: contains an access token>, n = 1 }")
    }

    @Test func coloursOnlyWhenAsked() {
        #expect(show("1", Pretty(color: true)) == "\u{1B}[36m1\u{1B}[0m")
        #expect(show("'s'", Pretty(color: false)) == "\"s\"")
    }
}
