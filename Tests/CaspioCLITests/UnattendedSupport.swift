import CaspioTestSupport
import Foundation

/// A `caspio run` in the background, for tests that act on a run while it is going on
/// (a second run against its lock, kill -9, SIGTERM).
final class BackgroundRun {
    let process = Process()
    private let out = Pipe(), err = Pipe()

    init(_ arguments: [String], environment: [String: String], directory: URL) throws {
        process.executableURL = caspioBinary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        process.currentDirectoryURL = directory
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }

    /// Waits for the exit; the output is read to the end first so the pipes cannot fill up.
    func finish() -> ProcessResult {
        collectOutput(of: process, stdout: out, stderr: err)
    }
}

/// Polls (bounded) for a condition another process brings about; not a sleep for a race:
/// it returns as soon as the condition holds.
@discardableResult
func waitFor(_ seconds: Double = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        usleep(10_000)
    }
    return true
}

/// A directory with `script.lua`, and an environment that keeps the token cache, state and
/// locks inside it.
struct ScriptSandbox {
    let directory: URL
    let script: URL
    var environment: [String: String]

    init(_ source: String, fake: FakeCaspio? = nil) throws {
        directory = try temporaryDirectory()
        script = try write(source, to: directory.appendingPathComponent("job.lua"))
        environment = fake?.environment(cacheDirectory: directory.path + "/cache") ?? [:]
        environment["HOME"] = directory.path
        environment["XDG_STATE_HOME"] = directory.path + "/state"
        environment["XDG_RUNTIME_DIR"] = directory.path + "/run"
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func run(_ flags: [String], _ arguments: [String] = []) throws -> ProcessResult {
        try caspio(["run"] + flags + [script.path] + arguments, environment: environment, directory: directory)
    }

    func start(_ flags: [String], _ arguments: [String] = []) throws -> BackgroundRun {
        try BackgroundRun(["run"] + flags + [script.path] + arguments, environment: environment, directory: directory)
    }
}
