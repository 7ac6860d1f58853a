@testable import CaspioModule
import LuaBridge
import Testing

/// The module's chunks load as bytecode compiled at build time (ModuleBytecode): exactly their
/// source compiled, under the names ModuleContract gives them, so messages and tracebacks read
/// as before.
@Suite struct ModuleBytecodeTests {
    @Test func everyChunksBytecodeIsItsSourceCompiledUnderItsName() throws {
        let state = LuaState()
        defer { state.close() }
        let lua = state.lua
        let dump = try #require(lua.getGlobal("string").tableRef).rawField("dump")
        for chunk in ModuleContract.chunks {
            let bytecode = try #require(ModuleBytecode.chunk(named: chunk.file), "\(chunk.file) was not compiled")
            try lua.load(chunk.source, name: ModuleContract.chunkName(chunk.file))
            let compiled = lua.value(at: -1)
            lua.pop()
            let dumped = try lua.call(dump, [compiled])
            #expect(dumped.first == .string(LuaBytes(bytecode)), "\(chunk.file): the bytecode is not its source compiled")
        }
    }

    @Test func theSourceStandsInWhenThereIsNoBytecode() throws {
        let state = LuaState()
        defer { state.close() }
        let lua = state.lua
        try CaspioModule.loadChunk(lua, file: "no-such-chunk.lua", source: Array("return debug.getinfo(1, 'S').source".utf8))
        let results = try lua.call(lua.value(at: -1))
        #expect(results.first == .string(ModuleContract.chunkName("no-such-chunk.lua")))
    }
}
