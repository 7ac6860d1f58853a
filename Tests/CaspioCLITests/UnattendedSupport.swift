import CaspioTestSupport
import Foundation

/// A `caspio run` in the background, for tests that act on a run while it is going on
/// (a second run against its lock, kill -9, SIGTERM).
final class BackgroundRun {
    let spawned: SpawnedProcess

    init(_ arguments: [String], environment: [String: String], directory: URL) throws {
        spawned = try SpawnedProcess(caspioBinary, arguments, environment: environment, directory: directory, seconds: 60)
    }

    var pid: Int32 { spawned.pid }

    /// Waits for the exit (bounded: past its deadline the run is killed and this throws).
    func finish() async throws -> ProcessResult { try await spawned.finish() }
}

/// A directory with `script.lua`, and an environment that keeps the token cache, state and
/// locks inside it.
struct ScriptSandbox {
    let directory: URL
    let script: URL
    var environment: [String: String]

    init(_ source: String, fake: EmulatedCaspio? = nil) throws {
        directory = try temporaryDirectory()
        script = try write(source, to: directory.appendingPathComponent("job.lua"))
        environment = fake?.environment(cacheDirectory: directory.path + "/cache") ?? [:]
        environment["HOME"] = directory.path
        environment["XDG_STATE_HOME"] = directory.path + "/state"
        environment["XDG_RUNTIME_DIR"] = directory.path + "/run"
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func run(_ flags: [String], _ arguments: [String] = []) async throws -> ProcessResult {
        try await caspio(["run"] + flags + [script.path] + arguments, environment: environment, directory: directory)
    }

    func start(_ flags: [String], _ arguments: [String] = []) throws -> BackgroundRun {
        try BackgroundRun(["run"] + flags + [script.path] + arguments, environment: environment, directory: directory)
    }
}
