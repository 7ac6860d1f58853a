import Foundation
import PackagePlugin

/// Compiles a target's `.lua` resources to Lua bytecode at build time (LuaChunkCompiler):
/// the generated ModuleBytecode.swift goes into the target, so the module's chunks load
/// without being parsed at every start.
@main
struct ModuleBytecode: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let module = target as? SourceModuleTarget else { return [] }
        let chunks = module.sourceFiles.filter { $0.url.pathExtension == "lua" }.map(\.url)
        let output = context.pluginWorkDirectoryURL.appending(path: "ModuleBytecode.swift")
        return [
            .buildCommand(
                displayName: "Compiling \(target.name)'s Lua chunks to bytecode",
                executable: try context.tool(named: "LuaChunkCompiler").url,
                arguments: [output.path] + chunks.map(\.path),
                inputFiles: chunks,
                outputFiles: [output]
            )
        ]
    }
}
