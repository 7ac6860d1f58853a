import CLua
import CLuaShim
import Glibc
import LuaBridge
import Testing

@Suite struct ErrorTests {
    @Test func runtimeErrorsCarryMessageAndTraceback() throws {
        let state = LuaState()
        let error = try #require(throws: LuaError.self) {
            try run(state, "local function inner() error('boom') end\ninner()")
        }
        #expect(error.status == .runtime)
        #expect(error.message == "test:1: boom")
        #expect(error.traceback.hasPrefix("stack traceback:"))
        #expect(error.traceback.contains("in local 'inner'") || error.traceback.contains("in function 'inner'"))
        #expect(state.lua.top == 0)
    }

    @Test func syntaxErrorsHaveNoTraceback() throws {
        let state = LuaState()
        let error = try #require(throws: LuaError.self) { try run(state, "x = = 1") }
        #expect(error.status == .syntax)
        #expect(error.message.contains("unexpected symbol"))
        #expect(error.traceback.isEmpty)
    }

    @Test func tableErrorsKeepTheirFields() throws {
        let state = LuaState()
        let error = try #require(throws: LuaError.self) {
            try run(state, "error(setmetatable({code = 'E42', status = 404}, {__tostring = function(e) return 'custom ' .. e.code end}))")
        }
        #expect(error.message == "custom E42")
        let table = try #require(error.value.tableRef)
        #expect(table.rawField("code") == "E42")
        #expect(table.rawField("status") == 404)
    }

    @Test func hostFunctionsRaiseStringsWithPositionAndTablesAsIs() throws {
        let state = LuaState()
        let lua = state.lua
        lua.push(function: { _ in throw LuaRaise.message("bad argument") })
        lua.setGlobalFromTop("fails")
        lua.push(function: { lua in
            lua.newTable()
            lua.push("quota")
            lua.setField("kind", ofTableAt: -2)
            throw LuaRaise.valueOnStack
        })
        lua.setGlobalFromTop("failsWithTable")
        #expect(try run(state, "return pcall(function() fails() end)") == [false, "test:1: bad argument"])
        #expect(try run(state, "return pcall(fails)") == [false, "bad argument"])  // called from C: no position
        let result = try run(state, "local ok, e = pcall(failsWithTable); return ok, type(e), e.kind")
        #expect(result == [false, "table", "quota"])
    }

    @Test func luaErrorsPassThroughNestedSwiftFramesUnchanged() throws {
        let state = LuaState()
        let lua = state.lua
        // Swift calls back into Lua; the Lua error surfaces in Swift as LuaError and is
        // re-raised, object intact, by the trampoline.
        lua.push(function: { lua in
            let callback = lua.value(at: 1)
            try lua.call(callback)
            return .none
        })
        lua.setGlobalFromTop("invoke")
        let result = try run(state, "local ok, e = pcall(invoke, function() error({n = 7}) end); return ok, e.n")
        #expect(result == [false, 7])
    }

    @Test func hostFunctionsCanYieldFromCoroutines() throws {
        let state = LuaState()
        state.lua.push(function: { lua in
            lua.push("waiting")
            return .yield(1)
        })
        state.lua.setGlobalFromTop("pause")
        let result = try run(state, """
            local co = coroutine.create(function() local got = pause(); return 'resumed with ' .. got end)
            local _, first = coroutine.resume(co)
            local _, second = coroutine.resume(co, 'data')
            return first, second
            """)
        #expect(result == ["waiting", "resumed with data"])
    }

    /// A Swift function that fails 100,000 times must leave memory flat: Lua's longjmp never
    /// skips a Swift release, so neither the Swift heap nor the Lua heap grows.
    @Test func raisingOneHundredThousandTimesLeavesMemoryFlat() throws {
        final class Payload {
            nonisolated(unsafe) static var live = 0
            let text = String(repeating: "x", count: 64)
            init() { Payload.live += 1 }
            deinit { Payload.live -= 1 }
        }
        let state = LuaState()
        state.lua.push(function: { _ in
            let payload = Payload()
            throw LuaRaise.message("failure carrying \(payload.text.count) bytes")
        })
        state.lua.setGlobalFromTop("fail")
        let loop = "for i = 1, ... do pcall(fail) end; collectgarbage(); collectgarbage(); return collectgarbage('count')"
        _ = try run(state, loop, [10_000])  // warm up: caches, string tables, allocator pools
        let luaBefore = try run(state, loop, [1_000])[0]
        let luaAfter = try run(state, loop, [100_000])[0]
        #expect(Payload.live == 0)
        let luaGrowth = (luaAfter.numberValue ?? 0) - (luaBefore.numberValue ?? 0)
        #expect(luaGrowth < 16, "Lua heap grew by \(luaGrowth) KiB")
        // The process-wide C heap is also checked, in a process of its own where no parallel
        // test adds noise: RunCommandTests.raisingFromSwiftHostFunctionsKeepsRSSFlat.
    }
}

extension LuaValue {
    var numberValue: Double? {
        switch self {
        case .integer(let i): Double(i)
        case .number(let d): d
        default: nil
        }
    }
}
