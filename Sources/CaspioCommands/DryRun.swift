import CaspioClient
import Foundation

/// Whether this run is a dry run: `--dry-run`, or CASPIO_DRY_RUN in the environment. The
/// variable is read by every command that can write (run, import, repl, request), and a value
/// it cannot read is refused: a dry run silently not taken is a run that sends every write.
enum DryRun {
    static func requested(flag: Bool, environment: [String: String] = ProcessEnvironment.all) throws(CaspioError) -> Bool {
        if flag { return true }
        guard let value = environment["CASPIO_DRY_RUN"] else { return false }
        switch value.trimmingCharacters(in: .whitespaces).lowercased() {
        case "1", "true", "yes", "on": return true
        case "", "0", "false", "no", "off": return false
        default:
            throw CaspioError(.config, "CASPIO_DRY_RUN must be 1 (a dry run) or 0 (none), not '\(value)'")
        }
    }
}
