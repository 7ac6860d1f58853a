import ArgumentParser
import CLuaShim
import Foundation

@main
enum Entry {
    static func main() {
        // Ctrl-C and SIGTERM must reach us even if the parent spawned us with them blocked.
        caspio_unblock_signals()
        do {
            var command = try Caspio.parseAsRoot()
            try command.run()
        } catch {
            // ArgumentParser ends usage errors with EX_USAGE (64); caspio documents 2 for them.
            if Caspio.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((Caspio.fullMessage(for: error) + "\n").utf8))
                exit(ExitStatus.usage.rawValue)
            }
            Caspio.exit(withError: error)
        }
    }
}
