import LuaBridge
import LuaJSON
import Testing

/// Keys repeated at the same position of sibling objects are pushed from the decoder's memo
/// instead of interned again: whatever the siblings' shapes, each object gets its own keys.
@Suite struct RepeatedKeysTests {
    @Test func siblingsOfChangingShapesKeepTheirOwnKeys() throws {
        let j = JSONLua()
        let text = #"""
            [{"a":1,"b":2,"c":3},{"a":4,"b":5,"c":6},{"a":7,"bb":8,"c":9},{"b":10,"a":11},
             {"a\u0041":12,"b":13},{"a":14,"b":15,"c":16,"d":{"a":17,"b":18}},{"a\"":19,"a":20},
             {"a":21,"a":22},{"ab":23,"a":24},{"a":25,"ab":26},{},{"":27,"c":28}]
            """#
        let encoded = try j.roundTrip(text, options: "{ sort_keys = true }")
        #expect(encoded == #"""
            [{"a":1,"b":2,"c":3},{"a":4,"b":5,"c":6},{"a":7,"bb":8,"c":9},{"a":11,"b":10},\#
            {"aA":12,"b":13},{"a":14,"b":15,"c":16,"d":{"a":17,"b":18}},{"a":20,"a\"":19},\#
            {"a":22},{"a":24,"ab":23},{"a":25,"ab":26},{},{"":27,"c":28}]
            """#)
    }

    @Test func aKeyReadFromTheMemoIsTheSameStringAsOneInterned() throws {
        let j = JSONLua()
        let values = try j.run("""
            local rows = json.decode('[{"Name":"x","Email":"y"},{"Name":"z","Email":"w"}]')
            local names = {}
            for k in pairs(rows[2]) do names[#names + 1] = k end
            table.sort(names)
            return rows[2].Name, rows[2]["Email"], table.concat(names, ","), rawget(rows[1], "Name")
            """)
        #expect(values == ["z", "w", "Email,Name", "x"])
    }

    @Test func manyPagesOfRecordsDecodeAlike() throws {
        let j = JSONLua()
        let values = try j.run("""
            local parts = {}
            for i = 1, 500 do
              parts[i] = string.format('{"PK_ID":%d,"Name":"n%d","State":%q,"Extra%d":true}', i, i, i % 2 == 0 and "CA" or "NY", i % 3)
            end
            local rows = json.decode('{"Result":[' .. table.concat(parts, ",") .. ']}').Result
            local ok = #rows == 500
            for i, row in ipairs(rows) do
              local n = 0
              for _ in pairs(row) do n = n + 1 end
              ok = ok and n == 4 and row.PK_ID == i and row.Name == "n" .. i and row["Extra" .. i % 3] == true
            end
            return ok
            """)
        #expect(values == [true])
    }

    @Test func widerAndDeeperObjectsThanTheMemoHoldsDecodeAlike() throws {
        let j = JSONLua()
        let values = try j.run("""
            local function wide(tag)
              local parts = {}
              for i = 1, 200 do parts[i] = string.format('"k%d":"%s%d"', i, tag, i) end
              return '{' .. table.concat(parts, ',') .. '}'
            end
            local function deep(tag, n)
              if n == 0 then return '"' .. tag .. '"' end
              return '{"x":1,"d' .. n .. '":' .. deep(tag, n - 1) .. '}'
            end
            local rows = json.decode('[' .. wide("a") .. ',' .. wide("b") .. ',' .. deep("p", 12) .. ',' .. deep("q", 12) .. ']')
            local ok = rows[1].k200 == "a200" and rows[2].k200 == "b200" and rows[2].k129 == "b129"
            for _, r in ipairs({ rows[3], rows[4] }) do
              local node, n = r, 12
              while n > 0 do ok = ok and node.x == 1; node, n = node["d" .. n], n - 1 end
              ok = ok and (node == "p" or node == "q")
            end
            return ok, rows[4].d12.d11.d10.d9.d8.d7.d6.d5.d4.d3.d2.d1
            """)
        #expect(values == [true, "q"])
    }

    @Test func siblingObjectsDeepInArraysKeepTheStackInOrder() throws {
        let j = JSONLua()
        let values = try j.run("""
            local depth = 300
            local text = string.rep("[", depth) .. '{"a":1,"b":[{"c":2},{"c":3}]},{"a":4,"b":[]},{"a":5}' .. string.rep("]", depth)
            local v = json.decode(text)
            for _ = 1, depth - 1 do v = v[1] end
            return #v, v[1].a, v[1].b[2].c, v[2].a, #v[2].b, v[3].a, json.encode(json.decode('{"only":1}'))
            """)
        #expect(values == [3, 1, 3, 4, 0, 5, #"{"only":1}"#])
    }
}
