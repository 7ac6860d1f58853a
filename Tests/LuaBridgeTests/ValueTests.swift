import CLua
import LuaBridge
import Testing

/// Runs `source` in `state` and returns its results.
func run(_ state: LuaState, _ source: String, _ arguments: [LuaValue] = []) throws -> [LuaValue] {
    let lua = state.lua
    try lua.load(Array(source.utf8), name: "=test")
    let chunk = lua.value(at: -1)
    lua.pop()
    return try lua.call(chunk, arguments)
}

@Suite struct ValueTests {
    @Test func scalarsRoundTripWithTheirTypes() throws {
        let state = LuaState()
        let values: [LuaValue] = [
            .nil, true, false, 0, 42, .integer(Int64.max), .integer(Int64.min), 1.5, -0.25, 1.0, .number(1e300),
        ]
        for value in values {
            let back = try run(state, "local v = ...; return v, math.type(v)", [value])
            #expect(back[0] == value)
            switch value {
            case .integer: #expect(back[1] == "integer")
            case .number: #expect(back[1] == "float")
            default: #expect(back[1] == .nil)
            }
        }
    }

    @Test func stringsAreBytesWithEmbeddedNULs() throws {
        let state = LuaState()
        let bytes: [UInt8] = [0x61, 0x00, 0x62, 0xFF, 0x00]
        let back = try run(state, "local s = ...; return #s, s, 'x\\0y'", [.string(LuaBytes(bytes))])
        #expect(back[0] == 5)
        #expect(back[1] == .string(LuaBytes(bytes)))
        #expect(back[2] == .string(LuaBytes([0x78, 0x00, 0x79])))
    }

    @Test func tablesAreReferencesWithReadableFields() throws {
        let state = LuaState()
        let back = try run(state, "return {name = 'x', 10, 20, nested = {ok = true}}")
        let table = try #require(back[0].tableRef)
        #expect(table.rawField("name") == "x")
        #expect(table.rawItem(2) == 20)
        #expect(table.rawField("nested").tableRef?.rawField("ok") == true)
        // The same table pushed back is the same Lua object.
        let same = try run(state, "local a, b = ...; return rawequal(a, b)", [back[0], back[0]])
        #expect(same == [true])
    }

    @Test func functionsGoBothWays() throws {
        let state = LuaState()
        let double = try run(state, "return function(x) return x * 2 end")[0]
        #expect(try state.lua.call(double, [21]) == [42])

        state.lua.push(function: { lua in
            let a = lua.integer(at: 1) ?? 0
            let b = lua.integer(at: 2) ?? 0
            lua.push(a + b)
            lua.push("sum")
            return .results(2)
        })
        state.lua.setGlobalFromTop("add")
        #expect(try run(state, "return add(2, 3)") == [5, "sum"])
    }

    @Test func hostObjectsHaveMethodsAndAreReleasedByGC() throws {
        final class Counter {
            var count: Int64 = 0
            let onDeinit: () -> Void
            init(onDeinit: @escaping () -> Void) { self.onDeinit = onDeinit }
            deinit { onDeinit() }
        }
        var released = 0
        do {
            let state = LuaState()
            let lua = state.lua
            lua.registerObjectType(
                "test.counter",
                methods: [
                    "bump": { lua in
                        guard let counter = lua.object(at: 1, type: "test.counter", as: Counter.self) else {
                            throw LuaRaise.message("bump: expected a counter")
                        }
                        counter.count += 1
                        lua.push(counter.count)
                        return .one
                    }
                ],
                metamethods: ["__tostring": { lua in lua.push("counter"); return .one }]
            )
            lua.push(object: Counter { released += 1 }, type: "test.counter")
            lua.setGlobalFromTop("c")
            #expect(try run(state, "c:bump(); return c:bump(), tostring(c)") == [2, "counter"])
            let failure = try run(state, "return pcall(c.bump, {})")
            #expect(failure[0] == false)
            #expect(failure[1].stringValue?.hasSuffix("bump: expected a counter") == true)
            #expect(released == 0)
            _ = try run(state, "c = nil; collectgarbage(); collectgarbage()")
            #expect(released == 1)
        }
        #expect(released == 1)
    }

    @Test func closingTheStateReleasesHostFunctions() throws {
        final class Witness { let onDeinit: () -> Void; init(_ f: @escaping () -> Void) { onDeinit = f }; deinit { onDeinit() } }
        var released = false
        do {
            let state = LuaState()
            let witness = Witness { released = true }
            state.lua.push(function: { _ in _ = witness; return .none })
            state.lua.setGlobalFromTop("f")
        }
        #expect(released)
    }
}
