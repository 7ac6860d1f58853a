import ArgumentParser
import Foundation

/// Flags for runs nobody watches (cron, systemd timers); each also has an environment
/// variable, so a unit file or crontab can set them without touching the command line.
struct UnattendedOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Written --lock=FILE, --lock FILE.lock, or a bare --lock (a lock derived from the script path): hold an advisory lock for the run; while another run holds it, exit 75 at once (CASPIO_LOCK=FILE or auto).",
        valueName: "FILE"))
    var lockFile: String?

    @Flag(name: .customLong("lock-auto"), help: .hidden)
    var lockAuto = false

    @Option(help: ArgumentHelp("Wait up to SECONDS for the lock instead of exiting 75 at once (CASPIO_LOCK_WAIT).", valueName: "SECONDS"))
    var lockWait: Double?

    @Option(help: ArgumentHelp("Stop the run after SECONDS with a timeout error, exit 124 (CASPIO_TIMEOUT).", valueName: "SECONDS"))
    var timeout: Double?

    @Option(help: ArgumentHelp("The caspio.state file (CASPIO_STATE); default: one per script under $XDG_STATE_HOME/caspio/state.", valueName: "FILE"))
    var state: String?

    @Flag(help: "Print nothing unless the run fails; then print what it wrote, and the error (CASPIO_QUIET=1).")
    var quiet = false

    @Flag(help: "Report duration, requests, retries, grants, rows and bytes on stderr at exit, as text or JSON per --log-format (CASPIO_SUMMARY=1).")
    var summary = false

    private static var environment: [String: String] { ProcessInfo.processInfo.environment }

    private static func truthy(_ name: String) -> Bool {
        guard let value = environment[name]?.lowercased() else { return false }
        return ["1", "true", "yes", "on"].contains(value)
    }

    private static func seconds(_ flag: Double?, _ name: String) throws -> Double? {
        if let flag {
            guard flag >= 0, flag.isFinite else { throw ValidationError("--\(name.dropFirst(7).lowercased().replacingOccurrences(of: "_", with: "-")) takes a number of seconds >= 0") }
            return flag
        }
        guard let text = environment[name] else { return nil }
        guard let value = Double(text), value >= 0, value.isFinite else {
            throw ValidationError("\(name)='\(text)' is not a number of seconds >= 0")
        }
        return value
    }

    var effectiveQuiet: Bool { quiet || Self.truthy("CASPIO_QUIET") }
    var effectiveSummary: Bool { summary || Self.truthy("CASPIO_SUMMARY") }
    func effectiveTimeout() throws -> Double? { try Self.seconds(timeout, "CASPIO_TIMEOUT") }
    func effectiveLockWait() throws -> Double { try Self.seconds(lockWait, "CASPIO_LOCK_WAIT") ?? 0 }
    var effectiveState: String? { state ?? Self.environment["CASPIO_STATE"] }

    /// The lock file to hold, if any; `script` is the script's path (for a derived lock).
    func lockPath(script: String?) throws -> String? {
        var requested = lockFile
        if lockAuto { requested = "auto" }
        if requested == nil, let value = Self.environment["CASPIO_LOCK"], !value.isEmpty { requested = value }
        guard let requested else { return nil }
        guard requested == "auto" else { return requested }
        guard let script, script != "-" else {
            throw ValidationError("a bare --lock needs a script file to derive the lock from; give --lock=FILE")
        }
        return RunLock.derivedPath(forScript: script)
    }
}
