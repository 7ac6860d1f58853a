import CaspioTestSupport
import Foundation
import Testing

/// `caspio run` as lua5.4: scripts, arguments, stdin, chunks, errors, exit codes.
@Suite struct RunCommandTests {
    let argDump = "print(select('#', ...), ...)\nfor i = -3, #arg do print(i, arg[i]) end\n"

    @Test func runsScriptsWithArgTableAndVarargs() async throws {
        let dir = try temporaryDirectory()
        let script = try write(argDump, to: dir.appendingPathComponent("dump.lua"))
        let viaRun = try await caspio(["run", script.path, "one", "--two", "-e"])
        #expect(viaRun.status == 0, "\(viaRun.stderr)")
        let lines = viaRun.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "3\tone\t--two\t-e")
        #expect(lines.contains("-2\t\(caspioBinary.path)"))
        #expect(lines.contains("-1\trun"))
        #expect(lines.contains("0\t\(script.path)"))
        #expect(lines.contains("3\t-e"))

        let direct = try await caspio([script.path, "a"])
        #expect(direct.stdout.hasPrefix("1\ta\n"))
        #expect(direct.stdout.contains("-1\t\(caspioBinary.path)\n0\t\(script.path)\n1\ta\n"))
    }

    @Test func argTableMatchesLua54() async throws {
        let dir = try temporaryDirectory()
        let script = try write(
            "print(select('#', ...), ...)\nfor i = -2, #arg do print(i, arg[i]) end\n", to: dir.appendingPathComponent("a.lua"))
        let ours = try await caspio(["-e", "x=1", script.path, "p", "q"])
        let theirs = try await runProcess(URL(fileURLWithPath: "/usr/bin/lua5.4"), ["-e", "x=1", script.path, "p", "q"])
        let normalise = { (s: String) in s.replacingOccurrences(of: caspioBinary.path, with: "INTERPRETER") }
        #expect(normalise(ours.stdout) == theirs.stdout.replacingOccurrences(of: "/usr/bin/lua5.4", with: "INTERPRETER"))
    }

    @Test func executableScriptsWithShebangRun() async throws {
        let dir = try temporaryDirectory()
        let script = try write("#!/usr/bin/env caspio\nprint('shebang', ...)\n", to: dir.appendingPathComponent("job"), executable: true)
        let path = caspioBinary.deletingLastPathComponent().path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
        let result = try await runProcess(script, ["x", "y"], environment: ["PATH": path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "shebang\tx\ty\n")
    }

    @Test func readsTheScriptFromStandardInput() async throws {
        let dash = try await caspio(["run", "-", "arg1"], stdin: "print('from stdin', arg[0], ...)")
        #expect(dash.stdout == "from stdin\t-\targ1\n")
        let piped = try await caspio([], stdin: "print(1 + 1)")
        #expect(piped.status == 0)
        #expect(piped.stdout == "2\n")
    }

    @Test func runsChunksAndLibrariesInOrder() async throws {
        let dir = try temporaryDirectory()
        try write("return {name = 'mymod'}", to: dir.appendingPathComponent("mymod.lua"))
        let result = try await caspio(
            ["-e", "x = 1", "-l", "mymod", "-e", "print(x, mymod.name, arg[0])"], environment: ["LUA_PATH": dir.path + "/?.lua;;"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "1\tmymod\tnil\n")
    }

    @Test func runtimeErrorsPrintMessageAndTracebackAndExit1() async throws {
        let dir = try temporaryDirectory()
        try write("local function f()\n  error('boom')\nend\nf()\n", to: dir.appendingPathComponent("fail.lua"))
        let result = try await caspio(["fail.lua"], directory: dir)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("caspio: fail.lua:2: boom\nstack traceback:\n"))
        #expect(result.stderr.contains("fail.lua:4: in main chunk"))
    }

    @Test func syntaxErrorsPrintNoTraceback() async throws {
        let result = try await caspio(["-e", "x = = 2"])
        #expect(result.status == 1)
        #expect(result.stderr == "caspio: (command line):1: unexpected symbol near '='\n")
        let missing = try await caspio(["no-such-script.lua"])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("caspio: cannot open no-such-script.lua"))
    }

    @Test func tableErrorsPrintThroughTostring() async throws {
        let withTostring = try await caspio(["-e", "error(setmetatable({}, {__tostring = function() return 'HTTP 404 ObjectNotFound' end}))"])
        #expect(withTostring.status == 1)
        #expect(withTostring.stderr.hasPrefix("caspio: HTTP 404 ObjectNotFound\nstack traceback:"))
        let plain = try await caspio(["-e", "error({})"])
        #expect(plain.stderr.hasPrefix("caspio: (error object is a table value)"))
    }

    @Test func osExitFlushesAndClosesTheState() async throws {
        let code = """
            local g = setmetatable({}, {__gc = function() io.write('gc ') end})
            local c <close> = setmetatable({}, {__close = function() io.write('close ') end})
            io.write('buffered ')
            os.exit(7, true)
            """
        let result = try await caspio(["-e", code])
        #expect(result.status == 7)
        #expect(result.stdout == "buffered close gc ")
        #expect(try await caspio(["-e", "os.exit(true)"]).status == 0)
        #expect(try await caspio(["-e", "os.exit(false)"]).status == 1)
    }

    @Test func warningsBehaveAsInLua54() async throws {
        let result = try await caspio(["-e", "warn('hidden'); warn('@on'); warn('shown ', 'twice'); warn('@off'); warn('gone')"])
        #expect(result.stderr == "Lua warning: shown twice\n")
        let flag = try await caspio(["-W", "-e", "warn('on from the start')"])
        #expect(flag.stderr == "Lua warning: on from the start\n")
    }

    @Test func ctrlCInterruptsWithTracebackAndExits130() async throws {
        let process = try SpawnedProcess(caspioBinary, ["-e", "io.write('ready\\n'); io.flush(); while true do end"], seconds: 30)
        // Wait for the script to be inside its loop (no sleeping: read its signal line).
        try await process.waitForOutput("ready\n")
        process.signal(SIGINT)
        let result = try await process.finish()
        #expect(process.terminationReason == .exit)
        #expect(result.status == 130)
        let stderr = result.stderr
        #expect(stderr.hasPrefix("caspio: "))
        #expect(stderr.contains("interrupted!\nstack traceback:"))
    }

    @Test func honoursLuaPathAndLoadsDebianCModules() async throws {
        let dir = try temporaryDirectory()
        try write("return 'found via LUA_PATH_5_4'", to: dir.appendingPathComponent("local_mod.lua"))
        let result = try await caspio(
            ["-e", "print((require('local_mod'))); local cjson = require('cjson'); print(cjson.encode({1, 2, 3}))"],
            environment: ["LUA_PATH_5_4": dir.path + "/?.lua;;"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "found via LUA_PATH_5_4\n[1,2,3]\n")
        let cpath = try await caspio(["-e", "print(package.cpath)"], environment: ["LUA_CPATH": "/nowhere/?.so;;"])
        #expect(cpath.stdout.hasPrefix("/nowhere/?.so;"))
        #expect(cpath.stdout.contains("/usr/lib/x86_64-linux-gnu/lua/5.4/?.so"))
        let ignored = try await caspio(["-E", "-e", "print(package.path:find('/nowhere', 1, true) == nil)"], environment: ["LUA_PATH": "/nowhere/?.lua"])
        #expect(ignored.stdout == "true\n")
    }

    @Test func honoursLuaInit() async throws {
        let result = try await caspio(["-e", "print(initialised)"], environment: ["LUA_INIT": "initialised = 'yes'"])
        #expect(result.stdout == "yes\n")
    }

    @Test func versionNamesToolAndLua() async throws {
        let result = try await caspio(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("caspio 0."))
        #expect(result.stdout.contains("(Lua 5.4."))
    }

    @Test func caspioModuleIsGlobalAndRequirable() async throws {
        let result = try await caspio(["-e", "print(type(caspio), require('caspio') == caspio, caspio.version)"])
        #expect(result.stdout.hasPrefix("table\ttrue\t0."))
    }

    /// Swift host functions that fail 100,000 times (the JSON codec's errors go through the C
    /// trampoline) leave the process's memory flat: no Swift frame is skipped by a longjmp.
    /// Measured in a process of its own, so that no test running in parallel adds noise.
    @Test func raisingFromSwiftHostFunctionsKeepsRSSFlat() async throws {
        let script = """
            local function rss()
              for line in io.lines("/proc/self/status") do
                local kb = line:match("^VmRSS:%s+(%d+)")
                if kb then return tonumber(kb) end
              end
            end
            local json = caspio.json
            local function fail(n)
              for i = 1, n do
                assert(not pcall(json.decode, "[1, 2, nope]"))
                assert(not pcall(json.encode, {rows = {print}}))
              end
              collectgarbage(); collectgarbage()
            end
            fail(20000)
            local before = rss()
            fail(100000)
            print(rss() - before)
            """
        let result = try await caspio(["-e", script])
        #expect(result.status == 0, "\(result.stderr)")
        let growth = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? Int.max
        #expect(growth < 1024, "RSS grew by \(growth) KiB over 200,000 raised errors")
    }
}
