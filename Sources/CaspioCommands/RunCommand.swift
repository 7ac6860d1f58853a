import ArgumentParser
import CaspioClient
import CaspioModule
import CaspioStore
import LuaBridge
import Glibc
import CaspioSandbox
import Foundation

/// `caspio run SCRIPT [ARGS...]`, also the default command: `caspio SCRIPT`, `caspio -e CODE`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a Lua script (a file, - for standard input, or chunks given with -e).",
        usage: "caspio [run] [OPTIONS] [SCRIPT [ARGS...]]",
        discussion: """
            Options and arguments follow lua5.4: `arg[0]` is the script, `arg[1..n]` its arguments (also passed as `...`), and the words before the script sit at negative indices. With no script and no -e, a script is read from standard input when it is not a terminal.
            """
    )

    @Option(name: .customShort("e"), help: ArgumentHelp("Run the chunk CODE.", valueName: "CODE"))
    var chunks: [String] = []

    @Option(name: .customShort("l"), help: ArgumentHelp("Require module NAME into the global NAME.", valueName: "NAME"))
    var libraries: [String] = []

    @Flag(name: .customShort("W"), help: "Turn warnings on.")
    var warnings = false

    @Flag(name: .customShort("E"), help: "Ignore environment variables (LUA_INIT, LUA_PATH, LUA_CPATH).")
    var ignoreEnvironment = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    @OptionGroup(title: "Unattended runs")
    var unattended: UnattendedOptions

    @Argument(parsing: .captureForPassthrough, help: ArgumentHelp("The script and its arguments.", valueName: "SCRIPT ARGS"))
    var scriptAndArguments: [String] = []

    @Flag(name: .customLong("dry-run"), help: "Send reads, never a write: log each write and answer it with a stand-in; sum them up at the end (CASPIO_DRY_RUN=1).")
    var dryRun = false

    func validate() throws { try request.validate() }

    func run() throws { try request.run() }

    /// The options' values, for the run.
    var request: Request {
        Request(
            chunks: chunks, libraries: libraries, warnings: warnings, ignoreEnvironment: ignoreEnvironment,
            connection: connection.values, unattended: unattended.values, scriptAndArguments: scriptAndArguments, dryRun: dryRun)
    }

    /// The values of the options above without ArgumentParser's property wrappers (as
    /// ConnectionOptions.Values), which PlainRun makes of a plain command line.
    struct Request: Equatable {
        var chunks: [String] = []
        var libraries: [String] = []
        var warnings = false
        var ignoreEnvironment = false
        var connection = ConnectionOptions.Values()
        var unattended = UnattendedOptions.Values()
        var scriptAndArguments: [String] = []
        var dryRun = false

        /// `caspio rn x.lua` is a script named `rn` to the words, but a typo to the person: with
        /// no such file and a command of a near name, say so rather than "cannot open rn".
        func validate() throws {
            guard let script = scriptAndArguments.first, script != "-", !script.contains("/"),
                !FileManager.default.fileExists(atPath: script)
            else { return }
            let hint = NearestNames.hint(for: script, in: CommandLineWords.subcommands.sorted())
            if !hint.isEmpty { throw ValidationError("there is no command or file '\(script)'\(hint)") }
        }

        func run() throws {
            // `caspio` alone on a terminal is the REPL, as lua5.4 alone is its console.
            if scriptAndArguments.isEmpty && chunks.isEmpty && libraries.isEmpty && isatty(STDIN_FILENO) != 0 {
                let status = try ReplCommand.start(connection, dryRun: dryRun)
                if status != 0 { throw ExitCode(status) }
                return
            }
            let argv = CommandLine.arguments
            let script = scriptAndArguments.first
            try RunCommand.launch(Launch(
                connection: connection, unattended: unattended, script: script,
                ledgerName: RunCommand.ledgerName(script: script, chunks: chunks),
                argv: argv,
                scriptIndex: scriptAndArguments.isEmpty ? nil : argv.count - scriptAndArguments.count,
                preloads: RunCommand.preloads(in: argv.prefix(argv.count - scriptAndArguments.count)),
                warnings: warnings, ignoreEnvironment: ignoreEnvironment, dryRun: dryRun))
        }
    }

    /// What a run starts from: RunCommand's script, or a data job's built-in chunk.
    struct Launch {
        var connection: ConnectionOptions.Values
        var unattended: UnattendedOptions.Values
        /// The script's path (`-` for stdin): its lock and state files derive from it.
        var script: String?
        /// What a bare --lock derives the lock from; the script's path unless said otherwise.
        var lockSubject: LockSubject?
        /// The lock held when none is asked for (`caspio import`: the table's).
        var defaultLock = DefaultLock.none
        var ledgerName: String
        var argv: [String]
        var scriptIndex: Int?
        var preloads: [ScriptInvocation.Preload]
        var warnings = false
        var ignoreEnvironment = false
        var dryRun = false
    }

    /// Runs to the end and throws the exit status when it is not success.
    static func launch(_ launch: Launch) throws {
        // From here a signal is remembered and stops the script (exit 130 or 143, after its
        // clean-up handlers), even one that arrives before the script starts.
        RunStop.armSignals(whenIdle: .record)
        let quiet = launch.unattended.effectiveQuiet
        if quiet { QuietOutput.begin() }
        let status = execute(launch)
        if quiet { QuietOutput.end(failed: status != .success) }
        if status != .success { throw ExitCode(status.rawValue) }
    }

    /// Resolve settings, open the store, take the lock, make the module's context, run.
    private static func execute(_ launch: Launch) -> ExitStatus {
        let (unattended, script) = (launch.unattended, launch.script)
        let timeout: Double?, lockWait: Double
        do throws(CaspioError) {
            timeout = try unattended.effectiveTimeout()
            lockWait = try unattended.effectiveLockWait()
        } catch {
            printError(error.message)
            return .usage
        }
        let session: CommandSession
        do { session = try CommandSession.start(launch.connection) } catch {
            return ExitStatus(rawValue: (error as? ExitCode)?.rawValue ?? 2) ?? .usage
        }
        defer { session.close() }
        // A shared store is opened first: unreachable, the run stops here (exit 2) rather
        // than fall back to this host's files and mint a grant of its own.
        let store: PostgresStore?
        var heldLock: String?
        do {
            store = try session.store()
            if let lock = try session.runLock(unattended, subject: launch.lockSubject ?? .script(script), default: launch.defaultLock) {
                heldLock = lock.described
                guard try blocking({ try await lock.acquire(wait: lockWait) }) else {
                    printError("another run holds \(lock.described); not starting (exit 75)")
                    return .locked
                }
            }
        } catch {
            printError("\(error)")
            return .usage
        }
        // In a shared store, state is per script name (or the --state name), like the lock.
        let stateName = unattended.effectiveState ?? script.flatMap { $0 == "-" ? nil : ($0 as NSString).lastPathComponent }
        let sharedState = store.flatMap { store in stateName.map { store.state(named: $0) } }
        var statePath = unattended.effectiveState ?? script.flatMap { $0 == "-" ? nil : StateFile.defaultPath(forScript: $0, environment: session.environment) }
        let sandbox = session.sandbox != nil
        if sandbox, unattended.effectiveState == nil {
            // The sandbox's data lives as long as this run, so must the script's state
            // (a watermark kept from an earlier run would point past the fresh demo rows).
            statePath = FileManager.default.temporaryDirectory.appendingPathComponent("caspio-sandbox-state-\(UUID().uuidString).json").path
        }
        defer { if sandbox, unattended.effectiveState == nil, let statePath { try? FileManager.default.removeItem(atPath: statePath) } }
        let context = session.makeModuleContext(statePath: statePath, state: sharedState, scriptName: launch.ledgerName)
        do { context.dryRun = try DryRun.requested(flag: launch.dryRun, environment: session.environment) } catch {
            printError(error.description)
            return .usage
        }
        let invocation = ScriptInvocation(
            argv: launch.argv,
            scriptIndex: launch.scriptIndex,
            preloads: launch.preloads,
            warnings: launch.warnings,
            ignoreEnvironment: launch.ignoreEnvironment,
            context: context,
            timeout: timeout,
            summary: unattended.effectiveSummary,
            jsonOutput: ErrorOutput.json,
            lock: heldLock
        )
        return ScriptRunner(invocation).run()
    }

    /// What the usage ledger files this run under: the script's file name, `-` for standard
    /// input, `-e` for chunks alone.
    static func ledgerName(script: String?, chunks: [String]) -> String {
        guard let script else { return chunks.isEmpty ? "-" : "-e" }
        return script == "-" ? "-" : (script as NSString).lastPathComponent
    }

    /// The -e and -l options in the order given, since lua5.4 runs them in that order.
    static func preloads(in options: ArraySlice<String>) -> [ScriptInvocation.Preload] {
        var result: [ScriptInvocation.Preload] = []
        var words = options.dropFirst().makeIterator()
        while let word = words.next() {
            switch word {
            case "-e": if let code = words.next() { result.append(.chunk(code)) }
            case "-l": if let name = words.next() { result.append(.library(name)) }
            case _ where word.hasPrefix("-e") && word.count > 2: result.append(.chunk(String(word.dropFirst(2))))
            case _ where word.hasPrefix("-l") && word.count > 2: result.append(.library(String(word.dropFirst(2))))
            default: continue
            }
        }
        return result
    }
}
