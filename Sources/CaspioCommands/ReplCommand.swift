import ArgumentParser
import CaspioClient
import CaspioREPL
import CaspioSandbox
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// `caspio repl`, also `caspio` alone on a terminal: an interactive Lua console.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start an interactive Lua console with the caspio module (signs in on the first request).",
        usage: "caspio repl [--sandbox] [OPTIONS]",
        discussion: """
            History is kept in $XDG_STATE_HOME/caspio/history (~/.local/state/caspio/history), without lines that mention a secret or token. Type :help in the console for more.
            """
    )

    @Flag(name: .customLong("dry-run"), help: "Send reads, never a write: log each write and answer it with a stand-in (CASPIO_DRY_RUN=1).")
    var dryRun = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    func run() throws {
        let status = try Self.start(connection.values, dryRun: dryRun)
        if status != 0 { throw ExitCode(status) }
    }

    static func start(_ connection: ConnectionOptions.Values, dryRun flag: Bool = false) throws -> Int32 {
        let session = try CommandSession.start(connection)
        defer { session.close() }
        let dryRun: Bool
        do { dryRun = try DryRun.requested(flag: flag) } catch {
            printError(error.description)
            return ExitStatus.usage.rawValue
        }
        let interactive = isatty(STDIN_FILENO) != 0
        let environment = ProcessInfo.processInfo.environment
        let color = isatty(STDOUT_FILENO) != 0 && (environment["NO_COLOR"] ?? "").isEmpty
            && environment["TERM"] != "dumb"
        let options = REPL.Options(interactive: interactive, color: color, historyPath: History.path())
        let repl = try REPL(options: options) { profile in
            // `:profile NAME` names an account of the config file: it leaves a --sandbox.
            let chosen = profile.map { session.switching(toProfile: $0, connection) } ?? session
            let context = chosen.makeModuleContext(scriptName: "(repl)")
            context.dryRun = dryRun
            // A switch is checked before it is made, so that a bad profile leaves the REPL on
            // the account it had (nothing is sent: the settings are only resolved).
            if profile != nil { try context.prepare() }
            return REPLAccount(context: context, description: describe(chosen))
        }
        return repl.run()
    }

    /// Profile and base URL, resolved without any request; never the secret.
    static func describe(_ session: CommandSession) -> String {
        // The base URL the client speaks: the sandbox's v4 one with CASPIO_SANDBOX_API=4.
        if let sandbox = session.sandbox { return "the sandbox, \(session.overrides.baseURL ?? sandbox.baseURL)" }
        do {
            let configuration = try session.resolver().resolve()
            return "profile \(configuration.profile ?? "(environment)"), \(configuration.baseURL.absoluteString)"
        } catch {
            // The first line says what is missing; the rest is for when a request needs it.
            return "no account (\(error.message.prefix { $0 != "\n" })); try --sandbox"
        }
    }
}
