import ArgumentParser
import CLuaShim
import CaspioClient
import Glibc
import LuaBridge

/// The whole of `caspio`: the executable's entry point calls this and nothing else, so the
/// commands live in a library that tests link.
public enum CommandLineMain {
    public static func main(_ argv: [String] = CommandLine.arguments) -> Never {
        // First of all, so that no signal is lost: until a command says otherwise (a script run
        // stops its Lua, the sandbox shuts down), SIGINT and SIGTERM end the process at once.
        RunStop.armSignals(whenIdle: .exit)
        // A core file would hold the client secret and tokens: none unless asked for.
        if getenv("CASPIO_CORE_DUMPS").map({ String(cString: $0) }) != "1" { _ = caspio_set_dumpable(0) }
        // A secret command waiting when the run is stopped is killed, its children too.
        SecretCommand.stopRequested = { RunStop.isRequested }
        do {
            // A plain run's words are ones normalize leaves as they are; it is not called for
            // them, since its tables are built from every command's configuration. Nor is it
            // asked whether it stops like a run (RunCommand stops its Lua itself): that cast,
            // the first at run time, scans every conformance in the binary.
            if let plain = PlainRun.command(Array(argv.dropFirst())) {
                try plain.run()
                exit(0)
            }
            var command = try Caspio.parseAsRoot(Array(CommandLineWords.normalize(argv).dropFirst()))
            // Such a command arms the stop path itself (CommandStop.begin) where its work starts.
            let stoppable = command is any StopsLikeRun
            do { try command.run() } catch where stoppable {
                if let stopped = CommandStop.status() { exit(stopped.rawValue) }
                throw error
            }
            if stoppable, let stopped = CommandStop.status() { exit(stopped.rawValue) }
            exit(0)
        } catch {
            // Usage errors exit 2, as documented (ArgumentParser's own default is 64).
            let code = Caspio.exitCode(for: error)
            if code == .validationFailure {
                let message = Caspio.fullMessage(for: error)
                if !message.isEmpty { printError(message) }
                exit(ExitStatus.usage.rawValue)
            }
            Caspio.exit(withError: error)
        }
    }
}
