import CLua
import Glibc

// Compiles the `caspio` module's Lua chunks to Lua bytecode at build time (the ModuleBytecode
// plugin runs it), so that a run loads them without parsing 200 KB of source at every start.
// Usage: LuaChunkCompiler OUTPUT.swift CHUNK.lua...
// Writes a Swift file with one `[UInt8]` a chunk and `ModuleBytecode.chunk(named:)`. A chunk
// that does not compile fails the build, with Lua's message.

/// The chunk's name as ModuleContract.chunkName gives it: kept in the bytecode, it is what
/// tracebacks and error positions show. ModuleBytecodeTests checks that the two agree.
func chunkName(_ file: String) -> String { "=[caspio/" + file + "]" }

func fail(_ message: String) -> Never {
    let line = "LuaChunkCompiler: \(message)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(1)
}

func readFile(_ path: String) -> [UInt8] {
    guard let file = fopen(path, "rb") else { fail("cannot open \(path)") }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count == 0 { break }
        bytes += buffer[0..<count]
    }
    return bytes
}

/// The chunk compiled and dumped with its debug information (lines, local names), which
/// error messages and tracebacks need.
func compile(_ source: [UInt8], name: String) -> [UInt8] {
    guard let L = luaL_newstate() else { fail("cannot create a Lua state") }
    defer { lua_close(L) }
    let status = source.withUnsafeBytes { buffer in
        luaL_loadbufferx(L, buffer.baseAddress?.assumingMemoryBound(to: CChar.self), buffer.count, name, "t")
    }
    if status != LUA_OK { fail(String(cString: lua_tolstring(L, -1, nil))) }
    var dumped: [UInt8] = []
    let writer: lua_Writer = { _, data, size, user in
        let out = user!.assumingMemoryBound(to: [UInt8].self)
        out.pointee += UnsafeRawBufferPointer(start: data, count: size)
        return 0
    }
    _ = withUnsafeMutablePointer(to: &dumped) { lua_dump(L, writer, $0, 0) }
    return dumped
}

func identifier(_ file: String) -> String {
    String(file.map { $0.isLetter || $0.isNumber ? $0 : "_" })
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { fail("usage: LuaChunkCompiler OUTPUT.swift CHUNK.lua...") }
var out = """
    // Generated at build time by LuaChunkCompiler (the ModuleBytecode plugin) from the module's
    // Lua files: their bytecode, with debug information. Not committed.

    enum ModuleBytecode {
        /// The bytecode of `file` (a name of ModuleContract.chunks), nil for a file not compiled.
        static func chunk(named file: String) -> [UInt8]? {
            switch file {

    """
var arrays = ""
for path in arguments.dropFirst(2).sorted() {
    let file = String(path.split(separator: "/").last!)
    let code = compile(readFile(path), name: chunkName(file))
    out += "        case \"\(file)\": return \(identifier(file))\n"
    arrays += "\n    private static let \(identifier(file)): [UInt8] = ["
    for (index, byte) in code.enumerated() {
        arrays += (index % 32 == 0 ? "\n        " : "") + String(byte) + ","
    }
    arrays += "\n    ]\n"
}
out += "        default: return nil\n        }\n    }\n" + arrays + "}\n"
guard let output = fopen(arguments[1], "wb") else { fail("cannot write \(arguments[1])") }
fputs(out, output)
if fclose(output) != 0 { fail("cannot write \(arguments[1])") }
