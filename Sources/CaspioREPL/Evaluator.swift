import CLua
import Glibc
import LuaBridge

/// Evaluates REPL input as lua5.4 does: an expression first (its values are the results),
/// then a statement; `=expr` is `return expr`; a chunk whose syntax error ends at `<eof>`
/// is incomplete and waits for more lines.
public struct Evaluator {
    public enum Outcome {
        /// More lines are needed.
        case incomplete
        /// Ran; the values the chunk returned (none for a statement).
        case values([LuaValue])
        /// Did not compile, or raised (message and traceback in the error).
        case failure(LuaError)
        /// Ran to its end, but a stop (Ctrl-C) came before the REPL took over again: the
        /// values are not shown and the stop is reported as an interrupted evaluation is.
        case stopped(StopReason)
    }

    public let lua: Lua

    public init(lua: Lua) { self.lua = lua }

    /// Compiles `source` and pushes the chunk, or says why not (nothing pushed then).
    public func compile(_ source: String) -> Result<Void, LuaError>? {
        var code = source
        if code.hasPrefix("=") { code = "return " + code.dropFirst() }
        var returnFormIncomplete = false
        do {
            try lua.load(Array(("return " + code).utf8), name: "=stdin")
            return .success(())
        } catch {
            returnFormIncomplete = Self.isIncomplete(error)
        }
        do {
            try lua.load(Array(code.utf8), name: "=stdin")
            return .success(())
        } catch {
            if Self.isIncomplete(error) || returnFormIncomplete { return nil }
            return .failure(error)
        }
    }

    /// A syntax error at the end of the input: the chunk is not finished yet.
    static func isIncomplete(_ error: LuaError) -> Bool {
        error.status == .syntax && error.message.hasSuffix("<eof>")
    }

    /// Compiles and runs `source` with Ctrl-C armed; the first result is kept in `_`.
    public func evaluate(_ source: String) -> Outcome {
        switch compile(source) {
        case nil: return .incomplete
        case .failure(let error)?: return .failure(error)
        case .success?: break
        }
        let base = lua.top - 1
        // Ctrl-C stops this evaluation only; between evaluations a signal ends the REPL.
        RunStop.reset()
        RunStop.attach(lua)
        var outcome: Outcome
        do {
            try lua.call(arguments: 0)
            let values = lua.top > base ? (base + 1...lua.top).map { lua.value(at: $0) } : []
            lua.top = base
            if let first = values.first { lua.setGlobal("_", first) }
            outcome = .values(values)
        } catch {
            outcome = .failure(error)
        }
        RunStop.detach()
        RunStop.beginCleanup(lua)  // an interrupt that Lua never reached
        let reason = RunStop.reason
        RunStop.reset()
        // SIGTERM (or a second signal) ends the REPL once the evaluation has stopped.
        if reason == .terminate { exit(128 + SIGTERM) }
        // A Ctrl-C that came as the evaluation was finishing is reported, not lost.
        if reason != .none, case .values = outcome { outcome = .stopped(reason) }
        return outcome
    }
}
