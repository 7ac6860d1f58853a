import LuaBridge
import LuaJSON
import Testing

@Suite struct EncodeTests {
    @Test func scalars() throws {
        let j = JSONLua()
        let values = try j.run("""
            return json.encode(true), json.encode(false), json.encode(nil), json.encode(json.null),
                   json.encode(0), json.encode(-7), json.encode(math.maxinteger), json.encode(math.mininteger),
                   json.encode(1.0), json.encode(-0.0), json.encode(0.1), json.encode(12.34), json.encode(1e300),
                   json.encode(2^63), json.encode(1e-7), json.encode(5e-324), json.encode(123456789.125)
            """)
        #expect(values == [
            "true", "false", "null", "null", "0", "-7", "9223372036854775807", "-9223372036854775808",
            "1.0", "-0.0", "0.1", "12.34", "1e+300", "9.223372036854776e+18", "1e-07", "5e-324", "123456789.125",
        ])
    }

    @Test func integersAtEveryLength() throws {
        let j = JSONLua()
        let result = try j.run("""
            local bad = {}
            local n = 1
            for _ = 1, 19 do
              for _, v in ipairs{n, n - 1, n + 1, -n, -n + 1, n * 7} do
                if json.encode(v) ~= string.format('%d', v) then bad[#bad + 1] = v end
              end
              n = n * 10
            end
            return #bad
            """)
        #expect(result == [0])
    }

    @Test func floatsRoundTripAsFloats() throws {
        let j = JSONLua()
        let result = try j.run("""
            math.randomseed(7)
            local bad = 0
            for _ = 1, 3000 do
              local x = string.unpack('d', string.pack('i8', math.random(math.mininteger, math.maxinteger)))
              if x == x and x ~= math.huge and x ~= -math.huge then
                local back = json.decode(json.encode(x))
                if back ~= x or math.type(back) ~= 'float' then bad = bad + 1 end
              end
            end
            return bad, json.encode(json.decode('[1.0, 1, 100.0, 1e2, -0.0]'))
            """)
        #expect(result == [0, "[1.0,1,100.0,100.0,-0.0]"])
    }

    @Test func stringsAreEscapedMinimally() throws {
        let j = JSONLua()
        let values = try j.run(#"""
            return json.encode('a"b\\c/d\n\r\t\b\f\0\1\31\127 é€😀'),
                   json.encode('a\0b'), json.decode(json.encode('a\0b')) == 'a\0b'
            """#)
        #expect(values == [
            #""a\"b\\c/d\n\r\t\b\f\u0000\u0001\u001f\#u{7F} é€😀""#, #""a\u0000b""#, true,
        ])
    }

    @Test func invalidUTF8IsAnErrorWithPath() throws {
        let j = JSONLua()
        let values = try j.run(#"""
            local function fail(v)
              local ok, e = pcall(json.encode, v)
              assert(not ok)
              return e.path .. ' ' .. e.message
            end
            return fail('ab\xff'), fail({a = {'x', 'é\xc3'}}), fail({['k\xe9y'] = 1}), fail('\xed\xa0\x80')
            """#)
        #expect(values == [
            "$ string is not valid UTF-8 (byte 3)",
            "$.a[2] string is not valid UTF-8 (byte 3)",
            "$ object key is not valid UTF-8 (byte 2)",
            "$ string is not valid UTF-8 (byte 1)",
        ])
    }

    @Test func tablesBecomeArraysOrObjects() throws {
        let j = JSONLua()
        let values = try j.run("""
            return json.encode({}), json.encode({1, 2, 3}), json.encode({a = 1}),
                   json.encode(json.array({})), json.encode(json.array()), json.encode(json.object()),
                   json.encode(json.decode('[]')), json.encode(json.decode('{}')),
                   json.encode({{}, {x = {true}}}), json.encode({[1] = 'a', [2] = 'b'}),
                   json.encode(json.array({'only'}))
            """)
        #expect(values == [
            "{}", "[1,2,3]", #"{"a":1}"#, "[]", "[]", "{}", "[]", "{}", #"[{},{"x":[true]}]"#, #"["a","b"]"#,
            #"["only"]"#,
        ])
    }

    @Test func sharedTablesAreNotCycles() throws {
        let j = JSONLua()
        #expect(try j.string("local s = {1}; return json.encode({s, s, {s}})") == "[[1],[1],[[1]]]")
    }

    /// Runs `encode(expression)`, which must fail, and returns "path: message".
    private func encodeFailure(_ j: JSONLua, _ expression: String) throws -> String? {
        try j.string("""
            local ok, e = pcall(json.encode, \(expression))
            if ok then return 'encoded as ' .. e end
            assert(e.kind == 'json' and e.offset == nil and tostring(e) == 'json: ' .. e.message .. ' at ' .. e.path)
            return e.path .. ': ' .. e.message
            """)
    }

    @Test func unencodableValuesNameTheirPath() throws {
        let j = JSONLua()
        let cases: [(String, String)] = [
            ("{1, a = 2}", "$: table mixes array items with other keys (\"a\")"),
            ("{1, nil, 3}", "$: sparse array: 2 items but index 3 (arrays must have keys 1...n)"),
            ("{[2] = 'x'}", "$: sparse array: 1 items but index 2 (arrays must have keys 1...n)"),
            ("{[0] = 'x'}", "$: array index 0 is out of range (must be 1 or more)"),
            ("{[-1] = 'x', 'y'}", "$: array index -1 is out of range (must be 1 or more)"),
            ("{[1.5] = 'x'}", "$: table has a key JSON cannot represent: 1.5"),
            ("{[true] = 'x'}", "$: table has a key JSON cannot represent: true"),
            ("{[{}] = 'x'}", "$: table has a key JSON cannot represent: a table"),
            ("json.array({1, x = 2})", "$: array has a non-index key: \"x\""),
            ("json.object({1})", "$: object key must be a string, not 1"),
            ("{rows = {{price = 1}, {price = 0/0}}}", "$.rows[2].price: cannot encode NaN (JSON has no such number)"),
            ("{x = {1/0}}", "$.x[1]: cannot encode infinity (JSON has no such number)"),
            ("{-1/0}", "$[1]: cannot encode infinity (JSON has no such number)"),
            ("{f = print}", "$.f: cannot encode a function value"),
            ("{['a b'] = {['q\"'] = coroutine.create(print)}}", #"$["a b"]["q\""]: cannot encode a thread value"#),
            ("{_x9 = {['9x'] = io.stdout}}", #"$._x9["9x"]: cannot encode a userdata value"#),
            ("{ok = {1, 2, {n = {f = print}}}}", "$.ok[3].n.f: cannot encode a function value"),
            ("(function() local t = {}; t.self = t; return t end)()", "$.self: table contains itself (cycle)"),
            ("(function() local t = {}; t[1] = {t}; return t end)()", "$[1][1]: table contains itself (cycle)"),
        ]
        for (expression, expected) in cases {
            #expect(try encodeFailure(j, expression) == expected, "\(expression)")
        }
    }

    @Test func nestingIsLimited() throws {
        let j = JSONLua()
        let values = try j.run("""
            local function nest(n) local t = {} for _ = 2, n do t = {t} end return t end
            local ok1, text = pcall(json.encode, nest(1000))
            local ok2, e2 = pcall(json.encode, nest(1001))
            local ok3, e3 = pcall(json.encode, nest(100000))
            return ok1, #text, ok2, e2.message, ok3, e3.message, #e3.path
            """)
        #expect(values == [true, 2000, false, "nesting deeper than 1000 levels", false, "nesting deeper than 1000 levels", 3001])
    }

    @Test func prettyPrinting() throws {
        let j = JSONLua()
        let value = "{a = {1, 2, {}, json.array()}, b = json.array(), c = 'x', d = {e = json.null}}"
        let expected = """
            {
              "a": [
                1,
                2,
                {},
                []
              ],
              "b": [],
              "c": "x",
              "d": {
                "e": null
              }
            }
            """
        #expect(try j.string("return json.encode(\(value), {pretty = true, sort_keys = true})") == expected)
        #expect(try j.string("return json.encode(\(value), {indent = 2, sort_keys = true})") == expected)
        #expect(try j.string("return json.encode({1, {2}}, {indent = 4})") == "[\n    1,\n    [\n        2\n    ]\n]")
        #expect(try j.string("return json.encode({1}, {pretty = true, indent = 0})") == "[1]")
        #expect(try j.string("return json.encode('x', {pretty = true})") == #""x""#)
    }

    @Test func sortedKeysUseByteOrder() throws {
        let j = JSONLua()
        let text = try j.string("""
            return json.encode({b = 1, a = {z = 1, y = 2}, B = 3, aa = 4, [''] = 5, ['é'] = 6, ['a\\0'] = 7},
                               {sort_keys = true})
            """)
        #expect(text == #"{"":5,"B":3,"a":{"y":2,"z":1},"a\u0000":7,"aa":4,"b":1,"é":6}"#)
        // Stable: the same table always gives the same text.
        let again = try j.string("""
            local t = {}
            for i = 1, 200 do t['k' .. (i * 7919 % 1000)] = i end
            local first = json.encode(t, {sort_keys = true})
            for i = 1, 200, 2 do t['k' .. (i * 7919 % 1000)] = nil end
            for i = 1, 200, 2 do t['k' .. (i * 7919 % 1000)] = i end
            return tostring(json.encode(t, {sort_keys = true}) == first)
            """)
        #expect(again == "true")
    }

    @Test func swiftAPI() throws {
        let j = JSONLua()
        let lua = j.lua
        let base = lua.top
        try j.run("value = {name = 'x', list = {1, 2.5}}")
        lua.pushGlobals()
        lua.pushField("value", ofTableAt: -1)
        let bytes = try LuaJSON.encode(lua, at: -1, options: .init(indent: 1, sortKeys: true))
        #expect(String(decoding: bytes, as: UTF8.self) == "{\n \"list\": [\n  1,\n  2.5\n ],\n \"name\": \"x\"\n}")
        #expect(lua.top == base + 2)
        lua.push(function: { _ in .none })
        #expect(throws: JSONError(message: "cannot encode a function value", path: "$")) {
            try LuaJSON.encode(lua, at: -1)
        }
        #expect(lua.top == base + 3)
        lua.top = base
        LuaJSON.pushNull(lua)
        #expect(try LuaJSON.encode(lua, at: -1) == Array("null".utf8))
        lua.top = base
    }
}
