import CaspioTestSupport
import ArgumentParser
import CaspioClient
@testable import CaspioCommands
import Foundation
import Testing
import CaspioSandbox

/// The command line as ArgumentParser reads it, in process: words normalized as `caspio`
/// normalizes them, then parsed and validated as the root command parses them.
func parse(_ words: [String]) throws -> any ParsableCommand {
    let normalized = CommandLineWords.normalize(["caspio"] + words)
    return try Caspio.parseAsRoot(Array(normalized.dropFirst()))
}

/// The message and exit code `caspio` would print for a refused command line.
func refusal(_ words: [String]) -> (message: String, code: ExitCode)? {
    do {
        _ = try parse(words)
        return nil
    } catch {
        return (Caspio.fullMessage(for: error), Caspio.exitCode(for: error))
    }
}

@Suite struct CommandLineWordsTests {
    /// Options of caspio before `export` or `import` belong to them, as before `run`: they
    /// were read as a script named `export`.
    @Test(arguments: ["export", "import"])
    func globalOptionsBeforeADataJob(job: String) throws {
        let words = job == "export" ? ["-v", "--profile", "p", "export", "Contacts"] : ["-v", "--profile", "p", "import", "Contacts", "in.csv"]
        let command = try parse(words)
        if job == "export" {
            let export = try #require(command as? ExportCommand)
            #expect(export.table == "Contacts" && export.connection.verbose && export.connection.profile == "p")
        } else {
            let imported = try #require(command as? ImportCommand)
            #expect(imported.file == "in.csv" && imported.connection.verbose && imported.connection.profile == "p")
        }
    }

    /// `--lock` as `run` takes it: bare, `--lock=FILE`, `--lock FILE.lock`, anywhere.
    @Test func dataJobsTakeLockLikeRun() throws {
        let bare = try #require(try parse(["import", "Contacts", "in.csv", "--lock"]) as? ImportCommand)
        #expect(bare.unattended.lockAuto && bare.unattended.lockFile == nil)
        let named = try #require(try parse(["export", "--lock=/tmp/x", "Contacts"]) as? ExportCommand)
        #expect(named.unattended.lockFile == "/tmp/x")
        let spaced = try #require(try parse(["-v", "export", "--lock", "/tmp/t.lock", "Contacts", "--lock-wait", "3"]) as? ExportCommand)
        #expect(spaced.unattended.lockFile == "/tmp/t.lock" && spaced.unattended.lockWait == 3)
        // After `--` nothing is rewritten.
        #expect(CommandLineWords.dataJobWords(["T", "--", "--lock"]) == ["T", "--", "--lock"])
    }

    /// Every valued option of ConnectionOptions may stand before the subcommand.
    @Test func everyConnectionOptionMovesAfterTheSubcommand() throws {
        let words = ["--store", "file", "--principal", "ops", "--profile", "p", "export", "T"]
        let export = try #require(try parse(words) as? ExportCommand)
        #expect(export.connection.store == "file" && export.connection.principal == "ops" && export.connection.profile == "p")
    }

    @Test func nestedSubcommandsComeFromTheCommandsThemselves() {
        #expect(CommandLineWords.nestedSubcommands(of: "profile") == ["add", "list", "show", "remove", "default"])
        #expect(CommandLineWords.nestedSubcommands(of: "store") == ["init"])
        #expect(CommandLineWords.subcommands.isSuperset(of: ["run", "export", "import", "store", "help"]))
    }
}

@Suite struct ValidationTests {
    @Test func importRefusesLockAndNoLockTogether() throws {
        let refused = try #require(refusal(["import", "T", "in.csv", "--no-lock", "--lock"]))
        #expect(refused.message.contains("give --lock or --no-lock, not both"), "\(refused.message)")
        #expect(refused.code == .validationFailure)
    }

    @Test func importConcurrencyIsOneToSixteen() throws {
        #expect(refusal(["import", "T", "in.csv", "--concurrency", "17"])?.message.contains("--concurrency must be 1 to 16") == true)
        #expect(refusal(["import", "T", "in.csv", "--concurrency", "16"]) == nil)
    }

    @Test func requestTakesOneBodyAndNameValueQueries() throws {
        #expect(refusal(["request", "POST", "t", "--json", "{}", "--data", "@x"])?.message.contains("give --json or --data, not both") == true)
        #expect(refusal(["request", "GET", "tables", "--query", "novalue"])?.message.contains("--query takes NAME=VALUE (got 'novalue')") == true)
    }

    @Test func connectionFlagsAreCheckedBeforeAnyRequest() throws {
        let refused = try #require(refusal(["run", "--rate", "0", "-e", "print(1)"]))
        #expect(refused.code == .validationFailure, "\(refused.message)")
    }
}

@Suite struct RunLockTests {
    static let environment = ["XDG_RUNTIME_DIR": "/run/user/1", "HOME": "/home/u"]

    /// Import holds the table's lock unless told otherwise; --no-lock holds none, even when
    /// CASPIO_LOCK asks for one.
    @Test func importLocksTheTableByDefault() throws {
        let imported = try #require(try parse(["import", "Contacts", "in.csv"]) as? ImportCommand)
        let request = try #require(imported.unattended.values.lockRequest(environment: [:], default: .derived))
        #expect(request == .derived)
        #expect(try request.path(for: .table("Contacts"), environment: Self.environment) == "/home/u/.local/state/caspio/locks/table-Contacts.lock")
        #expect(request.name(for: .table("Contacts"), path: "") == "table:Contacts")
        #expect(imported.unattended.values.lockRequest(environment: ["CASPIO_LOCK": "auto"], default: .refused) == nil)
        #expect(imported.unattended.values.lockRequest(environment: [:]) == nil)
    }

    @Test func aBareLockNeedsAScriptOrATable() throws {
        let run = try #require(try parse(["run", "--lock", "-e", "print(1)"]) as? RunCommand)
        let request = try #require(run.unattended.values.lockRequest(environment: [:]))
        #expect(throws: ValidationError.self) { try request.path(for: .script(nil), environment: Self.environment) }
        #expect(try request.path(for: .script("/jobs/nightly.lua"), environment: Self.environment).hasSuffix(".lock"))
        #expect(request.name(for: .script("/jobs/nightly.lua"), path: "") == "nightly.lua")
        #expect(RunLockTests.named("/tmp/a.lock") == "/tmp/a.lock")
    }

    static func named(_ path: String) -> String { LockRequest.named(path).name(for: .script("x.lua"), path: path) }

    /// The file lock: a second holder in this process is refused (flock is per open file).
    @Test func aFileLockIsHeldOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caspio-lock-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let lock = FileRunLock(path: directory.path + "/x.lock")
        #expect(try await lock.acquire(wait: 0))
        #expect(try await lock.acquire(wait: 0) == false)
        #expect(lock.described == "the lock \(directory.path)/x.lock")
    }
}

@Suite struct HelpTests {
    /// Moved from the spawned suite: help and completion are parsing, not processes.
    @Test func helpListsTheExitCodesAndFlags() throws {
        let help = Caspio.helpMessage(for: RunCommand.self)
        for word in ["--lock", "--lock-wait", "--timeout", "--quiet", "--summary", "--state", "CASPIO_TIMEOUT"] {
            #expect(help.contains(word), "\(word)")
        }
        let root = Caspio.helpMessage()
        for code in ["75   another run holds the lock", "124  timeout", "143  terminated"] {
            #expect(root.contains(code), "\(code)")
        }
    }

    @Test(arguments: [CompletionShell.bash, .zsh, .fish])
    func completionScripts(shell: CompletionShell) async throws {
        let script = Caspio.completionScript(for: shell)
        #expect(script.contains("caspio"))
        for subcommand in ["run", "repl", "auth", "request", "sandbox"] { #expect(script.contains(subcommand), "\(shell): \(subcommand)") }
        if shell == .bash {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("caspio-\(UUID().uuidString).bash")
            defer { try? FileManager.default.removeItem(at: file) }
            try script.write(to: file, atomically: true, encoding: .utf8)
            // SpawnedProcess: killed, and the test failed, if bash runs past its deadline.
            let check = try await SpawnedProcess(URL(fileURLWithPath: "/bin/bash"), ["-n", file.path], seconds: 30).finish()
            #expect(check.status == 0, "\(check.stderr)")
        }
    }
}

/// A command's session, in process: --sandbox is settings, not a rewritten environment.
@Suite struct SessionTests {
    @Test func aSandboxIsTheAccountWhateverTheEnvironmentAndConfigSay() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("caspio-session-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A config file that cannot be parsed: reading it would fail the run.
        let config = directory.appendingPathComponent("config.toml")
        try "[profiles.prod\nbroken".write(to: config, atomically: true, encoding: .utf8)
        let environment = [
            "CASPIO_CONFIG": config.path, "CASPIO_PROFILE": "prod", "CASPIO_ACCOUNT": "c1real", "CASPIO_CLIENT_ID": "real",
            "CASPIO_CLIENT_SECRET": "real-secret", "CASPIO_TOKEN_CACHE": directory.path, "CASPIO_RATE": "3",
            "CASPIO_STORE": "postgres://nobody@127.0.0.1:9/none", "HOME": directory.path,
        ]
        let run = try #require(try parse(["--sandbox", "--max-requests", "7", "run", "-e", "print(1)"]) as? RunCommand)
        // Starting and stopping the sandbox block their thread (as the command's main thread):
        // never one of Swift's pool, which the sandbox itself runs on.
        let connection = run.connection.values
        let session = try await onOwnThread { try CommandSession.start(connection, environment: environment) }
        defer { Thread { session.close() }.start() }
        let sandbox = try #require(session.sandbox)
        let configuration = try session.resolver(scriptName: "t").resolve()
        #expect(configuration.baseURL.absoluteString == sandbox.baseURL)
        #expect(configuration.clientID == sandbox.sandbox.settings.clientID && configuration.profile == nil)
        #expect(configuration.tokenCacheDirectory == nil)
        // What is not the account still applies: pacing from the environment, the flag's budget.
        #expect(configuration.rate == 3 && configuration.maxRequests == 7)
        // The store is not opened (its URL would not answer): a throwaway account's tokens stay here.
        #expect(try session.store() == nil)
    }
}

/// `caspio mirror`'s command line, refused before anything runs (exit 2).
@Suite struct MirrorCommandLineTests {
    @Test func tablesOrAll() throws {
        let mirror = try #require(try parse(["mirror", "sqlite:x.db", "--tables", "A,B", "--cursor", "A.Modified", "--lookback", "5m", "--every", "1h"]) as? MirrorCommand)
        #expect(mirror.target == "sqlite:x.db" && mirror.tables == "A,B" && mirror.cursor == ["A.Modified"])
        #expect(try MirrorCommand.seconds(mirror.lookback, flag: "lookback") == 300)
        #expect(try MirrorCommand.seconds(mirror.every, flag: "every") == 3600)
        for words in [["mirror", "sqlite:x.db"], ["mirror", "sqlite:x.db", "--tables", "A", "--all"]] {
            let refused = try #require(refusal(words))
            #expect(refused.message.contains("give --tables A,B or --all"))
            #expect(refused.code == .validationFailure)
        }
    }

    @Test func durationsAndCounts() throws {
        for (words, text) in [
            (["--lookback", "soon"], "--lookback 'soon' is not a duration"), (["--every", "0"], "--every must be longer than 0"),
            (["--deletes-every", "0"], "--deletes-every must be 1 or more"),
        ] {
            let refused = try #require(refusal(["mirror", "sqlite:x.db", "--all"] + words))
            #expect(refused.message.contains(text), "\(refused.message)")
        }
        #expect(try MirrorCommand.seconds("0", flag: "lookback") == 0)
    }
}
