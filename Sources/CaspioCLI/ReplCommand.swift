import ArgumentParser
import CaspioClient
import CaspioREPL
import CaspioSandbox
import Foundation

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

    @Flag(help: "Explore a sandbox started in this process with the demo data (see `caspio sandbox`).")
    var sandbox = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    func run() throws {
        var running: RunningSandbox?
        if sandbox {
            do { running = try InProcessSandbox.start() } catch {
                printError("--sandbox: \(error)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
        defer { running.map(InProcessSandbox.stop) }
        let status = try Self.start(connection, environment: running.map { InProcessSandbox.environment(for: $0) })
        if status != 0 { throw ExitCode(status) }
    }

    /// `environment` replaces the process's (a `--sandbox`'s settings).
    static func start(_ connection: ConnectionOptions, environment accountEnvironment: [String: String]? = nil) throws
        -> Int32
    {
        let interactive = isatty(STDIN_FILENO) != 0
        let environment = ProcessInfo.processInfo.environment
        let color = isatty(STDOUT_FILENO) != 0 && (environment["NO_COLOR"] ?? "").isEmpty
            && environment["TERM"] != "dumb"
        let options = REPL.Options(interactive: interactive, color: color, historyPath: History.path())
        let repl = try REPL(options: options) { profile in
            var chosen = connection
            if let profile { chosen.profile = profile }
            return REPLAccount(
                context: try chosen.makeModuleContext(environment: accountEnvironment),
                description: describe(chosen, environment: accountEnvironment))
        }
        return repl.run()
    }

    /// Profile and base URL, resolved without any request; never the secret.
    static func describe(_ connection: ConnectionOptions, environment: [String: String]? = nil) -> String {
        do {
            let configuration = try ConfigurationResolver(
                environment: environment ?? ProcessInfo.processInfo.environment, overrides: connection.overrides
            ).resolve()
            return "profile \(configuration.profile ?? "(environment)"), \(configuration.baseURL.absoluteString)"
        } catch {
            return "no account: \(error.description)"
        }
    }
}
