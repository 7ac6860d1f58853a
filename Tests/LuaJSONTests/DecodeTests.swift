import LuaBridge
import LuaJSON
import Testing

@Suite struct DecodeTests {
    @Test func scalarsAtTopLevel() throws {
        let j = JSONLua()
        let values = try j.run("""
            return json.decode('true'), json.decode('false'), json.decode(' "x" '), json.decode('12'),
                json.decode('null') == json.null
            """)
        #expect(values == [true, false, "x", 12, true])
    }

    @Test func integersStayIntegersAndFloatsStayFloats() throws {
        let j = JSONLua()
        let types = try j.run("""
            local t = {}
            for _, s in ipairs{'0', '1', '-1', '9223372036854775807', '-9223372036854775808',
                               '1.0', '1e2', '1E2', '0.5', '-0', '-0.0', '9223372036854775808',
                               '-9223372036854775809', '12345678901234567890123'} do
              t[#t + 1] = math.type(json.decode(s))
            end
            return table.concat(t, ' ')
            """)
        #expect(types == [.string(
            "integer integer integer integer integer float float float float float float float float float")])
    }

    @Test func extremeIntegersAreExact() throws {
        let j = JSONLua()
        let values = try j.run("""
            return json.decode('9223372036854775807') == math.maxinteger,
                   json.decode('-9223372036854775808') == math.mininteger,
                   json.decode('9223372036854775808') == 2.0^63,
                   json.decode('9007199254740993'),
                   json.encode(json.decode('9007199254740993'))
            """)
        #expect(values == [true, true, true, .integer(9_007_199_254_740_993), "9007199254740993"])
    }

    /// (1e400 is refused: RangeTests.)
    @Test func negativeZeroAndUnderflow() throws {
        let j = JSONLua()
        let values = try j.run("""
            local z = json.decode('-0')
            return 1 / z == -math.huge,
                   json.decode('1e-400') == 0.0, math.type(json.decode('0')), 1 / json.decode('0.0') == math.huge
            """)
        #expect(values == [true, true, "integer", true])
    }

    @Test func floatsAreCorrectlyRounded() throws {
        let j = JSONLua()
        // Lua's own tonumber uses glibc strtod, which rounds correctly: compare against it
        // for random bit patterns (fast path and slow path) and for hand-picked hard cases.
        let result = try j.run("""
            math.randomseed(20240601)
            local bad = {}
            local function check(s)
              local got = json.decode(s)
              local want = tonumber(s)
              if got ~= want or math.type(got) ~= 'float' then bad[#bad + 1] = s end
            end
            for _ = 1, 3000 do
              local x = string.unpack('d', string.pack('i8', math.random(math.mininteger, math.maxinteger)))
              if x == x and x ~= math.huge and x ~= -math.huge then
                check(string.format('%.17g', x):gsub('^(%-?%d+)$', '%1.0'))
                check(string.format('%.15g', x):gsub('^(%-?%d+)$', '%1.0'))
              end
              check(string.format('%d.%de%d', math.random(0, 99999), math.random(0, 99999), math.random(-30, 30)))
            end
            for _, s in ipairs{'0.1', '0.30000000000000004', '5e-324', '2.2250738585072014e-308',
                               '1.7976931348623157e308', '3.141592653589793238462643383279',
                               '9007199254740993.0', '1e23', '8.41e21', '123456789012345678901234567890.5',
                               '0.000000000000000000000000000000000001', '4.35e-11', '1.0e22', '2e-22'} do
              check(s)
            end
            return #bad, table.concat(bad, ' ')
            """)
        #expect(result == [0, ""])
    }

    @Test func stringsWithEveryEscape() throws {
        let j = JSONLua()
        let values = try j.run(#"""
            local s = json.decode('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u00E9\\u20ac\\ud83d\\ude00 end"')
            return s == '"\\/\b\f\n\r\tA\u{e9}\u{e9}\u{20ac}\u{1F600} end',
                   json.decode('"\\ud83d\\ude00"') == '\xF0\x9F\x98\x80',
                   json.decode('"\\uDBFF\\uDFFF"') == '\xF4\x8F\xBF\xBF',
                   json.decode('"a\\u0000b"') == 'a\0b', #json.decode('"a\\u0000b"'),
                   json.decode('"é€😀\127"') == 'é€😀\127'
            """#)
        #expect(values == [true, true, true, true, 3, true])
    }

    @Test func longStringsTakeTheWordAtATimePathCorrectly() throws {
        let j = JSONLua()
        // Specials at every position relative to an 8-byte word.
        let result = try j.run(#"""
            local bad = 0
            for n = 0, 24 do
              for _, special in ipairs{'\\"', '\\\\', '\\n', 'é', '\\u00e9', '😀'} do
                local body = string.rep('a', n) .. special .. string.rep('b', 17 - n % 17)
                local want = load('return "' .. body:gsub('\\u00e9', 'é') .. '"')()
                if json.decode('"' .. body .. '"') ~= want then bad = bad + 1 end
              end
            end
            return bad
            """#)
        #expect(result == [0])
    }

    @Test func objectsArraysAndNulls() throws {
        let j = JSONLua()
        let values = try j.run("""
            local t = json.decode('{"a": [1, 2, {"b": null}], "c": {}, "d": [], "e": null, "a2": "x"}')
            local n = 0
            for _ in pairs(t) do n = n + 1 end
            return n, #t.a, t.a[3].b == json.null, t.e == json.null, next(t.c) == nil, #t.d,
                   json.is_array(t.a), json.is_array(t.d), json.is_array(t.c), json.is_array(t)
            """)
        #expect(values == [5, 3, true, true, true, 0, true, true, false, false])
    }

    @Test func duplicateKeysKeepTheLastValue() throws {
        let j = JSONLua()
        #expect(try j.run(#"return json.decode('{"a":1,"a":2}').a"#) == [2])
    }

    @Test func whitespaceEverywhere() throws {
        let j = JSONLua()
        let text = " \t\n\r{ \"a\" \t:\n[ 1 ,\r2 ] , \"b\" : { } ,\"c\":[ ]\n}\r\n "
        #expect(try j.roundTrip(text, options: "{sort_keys=true}") == #"{"a":[1,2],"b":{},"c":[]}"#)
    }

    @Test func nestingUpToTheLimit() throws {
        let j = JSONLua()
        let deep = String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000)
        #expect(try j.decodeError(Array(deep.utf8)) == nil)
        #expect(try j.roundTrip(deep) == deep)
        let objects = String(repeating: #"{"a":"#, count: 1000) + "1" + String(repeating: "}", count: 1000)
        #expect(try j.decodeError(Array(objects.utf8)) == nil)
        // maxDepth is adjustable.
        #expect(try j.decodeError(Array("[[[]]]".utf8), maxDepth: 3) == nil)
        #expect(try j.decodeError(Array("[[[[]]]]".utf8), maxDepth: 3)?.offset == 4)
    }

    @Test func nestingBeyondTheLimitIsAnError() throws {
        let j = JSONLua()
        for depth in [1001, 100_000] {
            let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            let error = try #require(try j.decodeError(Array(text.utf8)))
            #expect(error.message == "nesting deeper than 1000 levels")
            #expect(error.offset == 1001)
        }
        let objects = String(repeating: #"{"a":"#, count: 100_000)
        #expect(try j.decodeError(Array(objects.utf8))?.offset == 5001)
        // Through Lua too, and the state stays usable.
        let values = try j.run("""
            local ok, e = pcall(json.decode, string.rep('[', 100000))
            return ok, e.message, json.encode(json.decode('[1]'))
            """)
        #expect(values == [false, "nesting deeper than 1000 levels", "[1]"])
    }

    @Test func decodePushesExactlyOneValue() throws {
        let j = JSONLua()
        let base = j.lua.top
        try Array(#"{"k":[1,2]}"#.utf8).withUnsafeBytes { bytes in try LuaJSON.decode(j.lua, bytes) }
        #expect(j.lua.top == base + 1)
        #expect(j.lua.type(at: -1) == 5)  // LUA_TTABLE
        #expect(LuaJSON.isArray(j.lua, at: -1) == false)
        j.lua.top = base
        try Array("null".utf8).withUnsafeBytes { bytes in try LuaJSON.decode(j.lua, bytes) }
        #expect(LuaJSON.isNull(j.lua, at: -1))
        #expect(j.lua.top == base + 1)
    }

    @Test func decodeAcceptsEmbeddedNulAndArbitraryBuffers() throws {
        let j = JSONLua()
        // Lua strings may hold NUL; a NUL outside a string is just an invalid byte.
        #expect(try j.run(#"return #json.decode('["\\u0000", "x"]')[1]"#) == [1])
        #expect(try j.decodeError([0x31, 0x00])?.offset == 2)
        #expect(try j.decodeError([])?.offset == 1)
    }
}
