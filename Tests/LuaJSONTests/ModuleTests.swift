import LuaBridge
import LuaJSON
import Testing

@Suite struct ModuleTests {
    @Test func nullSentinel() throws {
        let j = JSONLua()
        let values = try j.run("""
            local t = json.decode('{"a": null, "b": [null, 1, null]}')
            local keys = 0
            for _ in pairs(t) do keys = keys + 1 end
            return tostring(json.null), type(json.null), keys, t.a == json.null, #t.b,
                   json.encode(t, {sort_keys = true}), json.decode('null') == json.null,
                   getmetatable(json.null).__name, json.null ~= nil
            """)
        #expect(values == ["null", "userdata", 2, true, 3, #"{"a":null,"b":[null,1,null]}"#, true, "json.null", true])
    }

    @Test func nullIsSharedByEveryCopyOfTheModule() throws {
        let j = JSONLua()
        LuaJSON.pushModule(j.lua)
        j.lua.setGlobalFromTop("json2")
        #expect(try j.run("return json2.null == json.null, json2.is_array(json.decode('[]'))") == [true, true])
        LuaJSON.pushNull(j.lua)
        #expect(LuaJSON.isNull(j.lua, at: -1))
        j.lua.pop()
        j.lua.push(Int64(0))
        #expect(!LuaJSON.isNull(j.lua, at: -1))
        j.lua.pop()
        // A different state has its own sentinel.
        let other = JSONLua()
        #expect(try other.run("return tostring(json.null)") == ["null"])
    }

    @Test func arrayAndObjectMarkers() throws {
        let j = JSONLua()
        let values = try j.run("""
            local t = {}
            local same = json.array(t) == t
            local fresh = json.array()
            local o = json.object({})
            local back = json.object(json.array({}))
            return same, json.is_array(t), json.is_array(fresh), json.is_array({}), json.is_array(o),
                   json.is_array('x'), json.is_array(json.decode('[1]')), json.is_array(json.decode('{"a":[]}').a),
                   json.encode(back), getmetatable(fresh).__name
            """)
        #expect(values == [true, true, true, false, false, false, true, true, "{}", "json.array"])
    }

    @Test func markersRefuseForeignMetatablesAndNonTables() throws {
        let j = JSONLua()
        let values = try j.run("""
            local ok1, e1 = pcall(json.array, setmetatable({}, {}))
            local ok2, e2 = pcall(json.array, 'x')
            local ok3, e3 = pcall(json.object, 1)
            return ok1, e1, ok2, e2, ok3, e3
            """)
        #expect(values == [
            false, "bad argument #1 to 'array' (table already has a metatable)",
            false, "bad argument #1 to 'array' (table expected, got string)",
            false, "bad argument #1 to 'object' (table expected, got number)",
        ])
    }

    @Test func decodeErrorsAreTables() throws {
        let j = JSONLua()
        let values = try j.run("""
            local ok, e = pcall(json.decode, '{"a":1 "b":2}')
            return ok, type(e), e.kind, e.message, e.offset, e.path, tostring(e), getmetatable(e).__name
            """)
        #expect(values == [
            false, "table", "json", "expected ',' or '}' after object member", 8, nil,
            "json: expected ',' or '}' after object member at byte 8", "json.error",
        ])
    }

    @Test func uncaughtErrorsReachSwiftWithTheirText() throws {
        let j = JSONLua()
        do {
            try j.run("return json.decode('[1,]')")
            Issue.record("decode should have failed")
        } catch let error as LuaError {
            #expect(error.message == "json: expected value at byte 4")
            #expect(error.value.tableRef?.rawField("offset") == 4)
        }
        do {
            try j.run("return json.encode({f = print})")
            Issue.record("encode should have failed")
        } catch let error as LuaError {
            #expect(error.message == "json: cannot encode a function value at $.f")
            #expect(error.value.tableRef?.rawField("path") == "$.f")
        }
    }

    @Test func badArguments() throws {
        let j = JSONLua()
        let values = try j.run("""
            local function err(f, ...) local ok, e = pcall(f, ...) assert(not ok) return e end
            return err(json.decode, 12), err(json.decode), err(json.decode, {}), err(json.encode),
                   err(json.encode, 1, 'pretty'), err(json.encode, 1, {pretty = 1}), err(json.encode, 1, {indent = 2.5}),
                   err(json.encode, 1, {indent = 99}), err(json.encode, 1, {sortkeys = true}),
                   err(json.encode, 1, {[1] = true})
            """)
        #expect(values.map { $0.stringValue ?? "?" } == [
            "bad argument #1 to 'decode' (string expected, got number)",
            "bad argument #1 to 'decode' (string expected, got no value)",
            "bad argument #1 to 'decode' (string expected, got table)",
            "bad argument #1 to 'encode' (value expected)",
            "bad argument #2 to 'encode' (table expected, got string)",
            "bad argument #2 to 'encode' (option 'pretty' must be a boolean)",
            "bad argument #2 to 'encode' (option 'indent' must be an integer from 0 to 32)",
            "bad argument #2 to 'encode' (option 'indent' must be an integer from 0 to 32)",
            "bad argument #2 to 'encode' (unknown option 'sortkeys'; expected pretty, indent or sort_keys)",
            "bad argument #2 to 'encode' (unknown option '?'; expected pretty, indent or sort_keys)",
        ])
    }

    @Test func randomValuesRoundTrip() throws {
        // Random trees of every JSON kind: encode -> decode -> encode gives the same text,
        // and decode -> encode of that text is stable too.
        let j = JSONLua()
        let result = try j.run(#"""
            math.randomseed(12345)
            local chars = {'a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\0', '\1', '\31', '\127', 'é', '€', '😀', '\u{10FFFF}'}
            local function str()
              local t = {}
              for i = 1, math.random(0, 12) do t[i] = chars[math.random(#chars)] end
              return table.concat(t)
            end
            local function value(depth)
              local r = math.random(depth > 4 and 6 or 8)
              if r == 1 then return math.random(math.mininteger, math.maxinteger)
              elseif r == 2 then return (math.random() - 0.5) * 10 ^ math.random(-300, 300)
              elseif r == 3 then return str()
              elseif r == 4 then return math.random(2) == 1
              elseif r == 5 then return json.null
              elseif r == 6 then return math.random(-1000, 1000)
              elseif r == 7 then
                local t = json.array()
                for i = 1, math.random(0, 5) do t[i] = value(depth + 1) end
                return t
              else
                local t = {}
                for _ = 1, math.random(0, 5) do t[str()] = value(depth + 1) end
                return t
              end
            end
            local bad = 0
            for _ = 1, 300 do
              local v = value(0)
              local a = json.encode(v, {sort_keys = true})
              local b = json.encode(json.decode(a), {sort_keys = true})
              local c = json.encode(json.decode(json.encode(json.decode(a), {pretty = true})), {sort_keys = true})
              if a ~= b or a ~= c then bad = bad + 1 end
            end
            return bad
            """#)
        #expect(result == [0])
    }
}
