import ArgumentParser
@testable import CaspioCommands
import Foundation
import Testing

/// What `caspio run --help` shows and what a typo of a command gets, in process.
@Suite struct RunHelpAndTypoTests {
    /// The help names --lock as the docs do, not the --lock-file it is rewritten to.
    @Test func runsHelpShowsLockAsTheDocsWriteIt() throws {
        let help = Caspio.helpMessage(for: RunCommand.self)
        #expect(help.contains("  --lock  ") && help.contains("--lock=FILE or --lock FILE.lock"), "\(help)")
        #expect(!help.contains("--lock-file") && !help.contains("--lock-auto"), "\(help)")
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(readme.contains("| `--lock` | `CASPIO_LOCK=auto` |") && readme.contains("| `--lock=FILE`, `--lock FILE.lock` |"))
        // A bare --lock reaches the options whichever way it is parsed.
        let run = try #require(try parse(["run", "--lock", "/jobs/nightly.lua"]) as? RunCommand)
        #expect(run.unattended.values.lockRequest(environment: [:]) == .derived)
    }

    @Test func aNearCommandNameIsSuggestedWhenNoSuchFileExists() throws {
        let refused = try #require(refusal(["rn", "x.lua"]))
        #expect(refused.code == .validationFailure)
        #expect(refused.message.contains("there is no command or file 'rn' (did you mean 'run'?)"), "\(refused.message)")
        // A name far from every command is a script, reported when it cannot be opened.
        #expect(refusal(["nightly-export", "x"]) == nil)
    }
}
