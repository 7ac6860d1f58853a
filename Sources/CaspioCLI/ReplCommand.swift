import ArgumentParser
import CaspioClient
import CaspioREPL
import Foundation

/// `caspio repl`, also `caspio` alone on a terminal: an interactive Lua console.
struct ReplCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repl",
        abstract: "Start an interactive Lua console with the caspio module (signs in on the first request).",
        discussion: """
            History is kept in $XDG_STATE_HOME/caspio/history (~/.local/state/caspio/history),
            without lines that mention a secret or token. Type :help in the console for more.
            """
    )

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    func run() throws {
        let status = try Self.start(connection)
        if status != 0 { throw ExitCode(status) }
    }

    static func start(_ connection: ConnectionOptions) throws -> Int32 {
        let interactive = isatty(STDIN_FILENO) != 0
        let environment = ProcessInfo.processInfo.environment
        let color = isatty(STDOUT_FILENO) != 0 && (environment["NO_COLOR"] ?? "").isEmpty
            && environment["TERM"] != "dumb"
        let options = REPL.Options(interactive: interactive, color: color, historyPath: History.path())
        let repl = try REPL(options: options) { profile in
            var chosen = connection
            if let profile { chosen.profile = profile }
            return REPLAccount(context: try chosen.makeModuleContext(), description: describe(chosen))
        }
        return repl.run()
    }

    /// Profile and base URL, resolved without any request; never the secret.
    static func describe(_ connection: ConnectionOptions) -> String {
        do {
            let configuration = try ConfigurationResolver(overrides: connection.overrides).resolve()
            return "profile \(configuration.profile ?? "(environment)"), \(configuration.baseURL.absoluteString)"
        } catch {
            return "no account: \(error.description)"
        }
    }
}
