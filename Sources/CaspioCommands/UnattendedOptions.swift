import ArgumentParser
import CaspioClient
import Foundation

/// Flags for runs nobody watches (cron, systemd timers); each also has an environment
/// variable, so a unit file or crontab can set them without touching the command line.
struct UnattendedOptions: ParsableArguments {
    /// What the help shows: `caspio` rewrites every --lock word (CommandLineWords) to
    /// --lock-file FILE or --lock-auto before parsing, so the help would otherwise name those.
    @Flag(name: .customLong("lock"), help: ArgumentHelp(
        "Hold an advisory lock for the run, derived from the script path (or the table's for import and export); --lock=FILE or --lock FILE.lock names the lock file. While another run holds it, exit 75 at once (CASPIO_LOCK=FILE or auto)."))
    var lockShown = false

    @Option(help: .hidden)
    var lockFile: String?

    @Flag(name: .customLong("lock-auto"), help: .hidden)
    var lockAuto = false

    @Option(help: ArgumentHelp(Setting.lockWait.help("Wait up to SECONDS for the lock instead of exiting 75 at once"), valueName: "SECONDS"))
    var lockWait: Double?

    @Option(help: ArgumentHelp(Setting.timeout.help("Stop the run after SECONDS with a timeout error, exit 124"), valueName: "SECONDS"))
    var timeout: Double?

    @Option(help: ArgumentHelp("The caspio.state file (CASPIO_STATE); default: one per script under $XDG_STATE_HOME/caspio/state.", valueName: "FILE"))
    var state: String?

    @Flag(help: "Print nothing unless the run fails; then print what it wrote, and the error (CASPIO_QUIET=1).")
    var quiet = false

    @Flag(help: "Report duration, requests, retries, grants, rows and bytes on stderr at exit, as text or JSON per --log-format (CASPIO_SUMMARY=1).")
    var summary = false

    /// The options' values, for the command's work.
    var values: Values {
        Values(
            lockShown: lockShown, lockFile: lockFile, lockAuto: lockAuto, lockWait: lockWait, timeout: timeout, state: state,
            quiet: quiet, summary: summary)
    }

    /// The values of the options above without ArgumentParser's property wrappers (as
    /// ConnectionOptions.Values); by default those of a command line that gives none.
    struct Values: Equatable {
        var lockShown = false
        var lockFile: String?
        var lockAuto = false
        var lockWait: Double?
        var timeout: Double?
        var state: String?
        var quiet = false
        var summary = false

        /// Each variable read alone: the whole environment as a dictionary costs much more.
        private static func variable(_ name: String) -> String? { ProcessEnvironment.value(of: name) }

        private static func truthy(_ name: String) -> Bool {
            guard let value = variable(name)?.lowercased() else { return false }
            return ["1", "true", "yes", "on"].contains(value)
        }

        var effectiveQuiet: Bool { quiet || Self.truthy("CASPIO_QUIET") }
        var effectiveSummary: Bool { summary || Self.truthy("CASPIO_SUMMARY") }
        func effectiveTimeout() throws(CaspioError) -> Double? {
            try Setting.timeout.resolved(flag: timeout.map(SettingValue.number), environment: ProcessEnvironment.only([Setting.timeout.variable]))?.number
        }
        func effectiveLockWait() throws(CaspioError) -> Double {
            try Setting.lockWait.resolved(flag: lockWait.map(SettingValue.number), environment: ProcessEnvironment.only([Setting.lockWait.variable]))?.number ?? 0
        }
        var effectiveState: String? { state ?? Self.variable("CASPIO_STATE") }

        /// What --lock (or CASPIO_LOCK) asks for. `lock`: what a run holds when neither asks,
        /// and whether it may hold one at all (`caspio import` takes the table's by default).
        func lockRequest(environment: [String: String], default lock: DefaultLock = .none) -> LockRequest? {
            if lock == .refused { return nil }
            var requested = lockFile
            if lockAuto || lockShown { requested = "auto" }
            if requested == nil, let value = environment["CASPIO_LOCK"], !value.isEmpty { requested = value }
            guard let requested else { return lock == .derived ? .derived : nil }
            return requested == "auto" ? .derived : .named(requested)
        }
    }
}

/// The lock a run holds when none is asked for: none, the derived one, or none at all even
/// when CASPIO_LOCK asks (`caspio import --no-lock`).
enum DefaultLock { case none, derived, refused }

/// What a run's lock is derived from: the script, or the table of `caspio import`/`export`.
enum LockSubject {
    /// The script's path, `-` for standard input; nil for chunks alone.
    case script(String?)
    case table(String)
}

/// A lock asked for by name (a file on this host, a name in a shared store), or derived from
/// the run's subject (a bare --lock, CASPIO_LOCK=auto).
enum LockRequest: Equatable {
    case named(String)
    case derived

    /// The lock file on this host.
    func path(for subject: LockSubject, environment: [String: String]) throws -> String {
        switch (self, subject) {
        case (.named(let path), _): return path
        case (.derived, .table(let table)): return FileRunLock.derivedPath(forTable: table, environment: environment)
        case (.derived, .script(let script)):
            guard let script, script != "-" else {
                throw ValidationError("a bare --lock needs a script file to derive the lock from; give --lock=FILE")
            }
            return FileRunLock.derivedPath(forScript: script, environment: environment)
        }
    }

    /// The lock's name in a shared store: the name given, or derived the same on every host
    /// whatever the paths: the script's file name, or the table's.
    func name(for subject: LockSubject, path: String) -> String {
        switch (self, subject) {
        case (.named, _): return path
        case (.derived, .table(let table)): return "table:" + table
        case (.derived, .script(let script)): return ((script ?? path) as NSString).lastPathComponent
        }
    }
}
