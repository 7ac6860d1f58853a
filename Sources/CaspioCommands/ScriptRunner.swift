import CLua
import CLuaShim
import CaspioClient
import Foundation
import CaspioModule
import Glibc
import LuaBridge

/// What `caspio run` was asked to do, in lua5.4's terms.
struct ScriptInvocation {
    enum Preload {
        case chunk(String)
        /// `-l NAME` or `-l GLOBAL=MODULE`.
        case library(String)
        /// The built-in Lua of `caspio export` or `caspio import`.
        case job(DataJob.Spec)
    }

    /// The full command line, for the `arg` table.
    var argv: [String]
    /// Where the script (a path or `-`) sits in argv; nil when there is none.
    var scriptIndex: Int?
    var preloads: [Preload] = []
    var warnings = false
    var ignoreEnvironment = false
    /// How the `caspio` module reaches Caspio.
    var context: ModuleContext
    /// --timeout, in seconds.
    var timeout: Double?
    /// --summary: report what the run cost on stderr at exit.
    var summary = false
    /// --log-format json: the summary is a JSON line too.
    var jsonOutput = false
    /// The lock the run holds, for the summary ("the lock PATH"); nil: none.
    var lock: String?
}

/// Runs a script in a fresh state the way lua.c does, and maps the outcome to an exit status.
struct ScriptRunner {
    let invocation: ScriptInvocation

    init(_ invocation: ScriptInvocation) { self.invocation = invocation }

    func run() -> ExitStatus {
        let state = LuaState(ignoreEnvironment: invocation.ignoreEnvironment)
        defer {
            state.close()
            invocation.context.shutdown()
        }
        let lua = state.lua
        do { try CaspioModule.install(into: state, context: invocation.context) } catch { return report(error) }
        // For the whole run (LUA_INIT, -e, -l, the script), as one stop ends all of it; a
        // signal that came before this (while the sandbox started, say) stops it at once.
        RunStop.attach(lua)
        let watchdog = invocation.timeout.map { Watchdog(seconds: $0) { QuietOutput.end(failed: true) } }
        var status = runMain(lua)
        // Clean-up runs even after a stop: clear the pending hook and let requests wait again.
        RunStop.beginCleanup(lua)
        let cleanup = runAtexitHandlers(lua)
        if status == .success { status = cleanup }
        if let stopped = stopStatus() { status = stopped }
        if invocation.summary {
            let snapshot = invocation.context.existingClient?.counters.snapshot ?? Counters.Snapshot()
            let text = RunSummary.render(
                snapshot, duration: invocation.context.elapsed, status: status, json: invocation.jsonOutput,
                places: .init(lock: invocation.lock, state: invocation.context.state?.location))
            text.withCString { caspio_write_stderr($0, strlen($0)) }
        }
        // __gc and __close of what is left run in state.close(); signals from now on kill.
        RunStop.detach()
        RunStop.disarmSignals()
        watchdog?.finish()
        return status
    }

    /// The status a stop (Ctrl-C, timeout, SIGTERM) imposes, whatever the script did with the
    /// error (a pcall may have swallowed it), with its one-line message.
    private func stopStatus() -> ExitStatus? { CommandStop.status(timeout: invocation.timeout) }

    /// caspio.atexit handlers, last registered first, each protected; an error is reported
    /// and makes the run fail, but the other handlers still run.
    private func runAtexitHandlers(_ lua: Lua) -> ExitStatus {
        var status = ExitStatus.success
        while true {
            lua_getfield(lua.L, caspio_registry_index(), ModuleContract.nextAtexitKey)
            guard lua.type(at: -1) == LUA_TFUNCTION else { lua.pop(); break }
            do { try lua.call(arguments: 0, results: 1) } catch { break }
            guard lua.type(at: -1) == LUA_TFUNCTION else { lua.pop(); break }
            do { try lua.call(arguments: 0, results: 0) } catch {
                printError("atexit handler: " + error.description)
                if status == .success { status = Self.exitStatus(for: error.value) }
            }
        }
        return status
    }

    private func runMain(_ lua: Lua) -> ExitStatus {
        if invocation.warnings { lua_warning(lua.L, "@on", 0) }
        createArgTable(lua)

        if !invocation.ignoreEnvironment, let status = runLuaInit(lua), status != .success { return status }
        for preload in invocation.preloads {
            let status: ExitStatus
            switch preload {
            case .chunk(let code): status = runChunk(lua, source: Array(code.utf8), name: "=(command line)")
            case .library(let spec): status = requireLibrary(lua, spec)
            case .job(let spec): status = runJob(lua, spec)
            }
            if status != .success { return status }
        }
        if let index = invocation.scriptIndex {
            return runScript(lua, path: invocation.argv[index], arguments: Array(invocation.argv[(index + 1)...]))
        }
        // Nothing to run and stdin not a terminal (a terminal gets the REPL): stdin is the script.
        if invocation.preloads.isEmpty {
            return runScript(lua, path: "-", arguments: [])
        }
        return .success
    }

    /// `arg`: the script at 0, its arguments above, everything before it below (as lua.c).
    private func createArgTable(_ lua: Lua) {
        let argv = invocation.argv
        let script = invocation.scriptIndex ?? argv.count
        lua.newTable(arrayCapacity: Int32(max(0, argv.count - script - 1)), fieldCapacity: Int32(script + 1))
        for (i, word) in argv.enumerated() {
            lua.push(word)
            lua.setItem(Int64(i - script), ofTableAt: -2)
        }
        lua.setGlobalFromTop("arg")
    }

    /// LUA_INIT_5_4 (or LUA_INIT): `@file` runs a file, anything else runs as a chunk.
    private func runLuaInit(_ lua: Lua) -> ExitStatus? {
        for name in ["LUA_INIT_5_4", "LUA_INIT"] {
            guard let raw = getenv(name) else { continue }
            let value = String(cString: raw)
            if value.hasPrefix("@") {
                let path = String(value.dropFirst())
                do { try lua.load(file: path) } catch { return report(error) }
                return protectedCall(lua, arguments: 0)
            }
            return runChunk(lua, source: Array(value.utf8), name: "=" + name)
        }
        return nil
    }

    private func runChunk(_ lua: Lua, source: [UInt8], name: String) -> ExitStatus {
        do { try lua.load(source, name: name) } catch { return report(error) }
        return protectedCall(lua, arguments: 0)
    }

    /// The progress bar's chunk, called with `p`, then the job's, called with `p` and the bar.
    private func runJob(_ lua: Lua, _ spec: DataJob.Spec) -> ExitStatus {
        let base = lua.top
        defer { if lua.top > base { lua.pop(lua.top - base) } }
        lua.newTable(fieldCapacity: Int32(spec.parameters.count))
        for (key, value) in spec.parameters {
            switch value {
            case .text(let text): lua.push(text)
            case .flag(let flag): lua.push(flag)
            case .number(let number): lua.push(number)
            case .function(let function): lua.push(function: function)
            }
            lua.setField(key, ofTableAt: -2)
        }
        let parameters = lua.top
        do { try lua.load(spec.progress, name: spec.chunkName) } catch { return report(error) }
        lua.pushValue(at: parameters)
        let status = protectedCall(lua, arguments: 1, results: 1)
        guard status == .success else { return status }
        let bar = lua.top
        do { try lua.load(spec.source, name: spec.chunkName) } catch { return report(error) }
        lua.pushValue(at: parameters)
        lua.pushValue(at: bar)
        // The job's code is caspio's, not the user's: its trace would point at nothing they wrote.
        return protectedCall(lua, arguments: 2, traceback: false, shown: spec.withoutPosition)
    }

    private func requireLibrary(_ lua: Lua, _ spec: String) -> ExitStatus {
        let parts = spec.split(separator: "=", maxSplits: 1).map(String.init)
        let (global, module) = parts.count == 2 ? (parts[0], parts[1]) : (spec, spec)
        lua.push(lua.getGlobal("require"))
        lua.push(module)
        let status = protectedCall(lua, arguments: 1, results: 1)
        if status == .success { lua.setGlobalFromTop(global) }
        return status
    }

    private func runScript(_ lua: Lua, path: String, arguments: [String]) -> ExitStatus {
        do { try lua.load(file: path == "-" ? nil : path) } catch { return report(error) }
        for argument in arguments { lua.push(argument) }
        return protectedCall(lua, arguments: Int32(arguments.count))
    }

    /// lua_pcall, as lua.c's docall (the stop signals are armed by run()). An error caused by
    /// a timeout or SIGTERM is reported once by run(), in its own words.
    private func protectedCall(
        _ lua: Lua, arguments: Int32, results: Int32 = 0, traceback: Bool = true, shown: (String) -> String = { $0 }
    ) -> ExitStatus {
        do {
            try lua.call(arguments: arguments, results: results)
            return .success
        } catch {
            let reason = RunStop.reason
            if reason == .timeout || reason == .terminate { return .scriptError }
            let status = traceback ? report(error) : reportWithoutTrace(error, shown: shown)
            return reason == .interrupt ? .interrupted : status
        }
    }

    private func reportWithoutTrace(_ error: LuaError, shown: (String) -> String) -> ExitStatus {
        printError(shown(error.message))
        return Self.exitStatus(for: error.value)
    }

    private func report(_ error: LuaError) -> ExitStatus {
        printError(CaspioModule.report(error))
        return Self.exitStatus(for: error.value)
    }

    /// An uncaught error of the caspio module exits with the code of its kind; any other
    /// error is a script error.
    static func exitStatus(for value: LuaValue) -> ExitStatus {
        guard let table = value.tableRef, let kind = table.rawField(ModuleContract.ErrorField.kind).stringValue,
            let kind = CaspioError.Kind(rawValue: kind)
        else { return .scriptError }
        return ExitStatus(rawValue: kind.exitStatus) ?? .scriptError
    }
}

/// Writes `caspio: MESSAGE` to stderr, as lua.c writes `lua: MESSAGE`; with
/// --log-format json, a JSON line like the log's, so that a log collector sees the error too.
/// Either way the message goes through the secret redactor, as every log line does.
func printError(_ message: String, level: String = "error") {
    let message = SecretRedactor.shared.redact(message)
    var line = "caspio: \(message)\n"
    if ErrorOutput.json {
        let object: [String: Any] = [
            "ts": ISO8601DateFormatter.withFractions.string(from: Date()), "level": level, "message": message,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        line = String(decoding: data, as: UTF8.self) + "\n"
    }
    line.withUTF8 { caspio_write_stderr($0.baseAddress, $0.count) }
}

enum ErrorOutput {
    /// Set once, by `use`, before anything is reported.
    nonisolated(unsafe) private(set) static var json = false

    /// A command's start: from now on caspio's own error lines take the log's format.
    static func use(_ settings: LogSettings) {
        json = settings.format == .json
    }
}
