import ArgumentParser
import CLuaShim
import Glibc

@main
enum Entry {
    static func main() {
        // Ctrl-C and SIGTERM must reach us even if the parent spawned us with them blocked.
        caspio_unblock_signals()
        do {
            let arguments = UnattendedOptions.rewriteLockArguments(CommandLine.arguments)
            var command = try Caspio.parseAsRoot(Array(arguments.dropFirst()))
            try command.run()
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
