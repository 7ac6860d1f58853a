import CaspioTestSupport
import Foundation

/// One "host": a home directory of its own (empty token cache, state and lock directories),
/// pointed at the fake account and the shared store.
struct Host {
    let directory: URL
    var environment: [String: String]

    init(fake: EmulatedCaspio?, database: TestPostgres?) throws {
        directory = try temporaryDirectory()
        environment = fake?.environment(cacheDirectory: directory.path + "/cache") ?? ["CASPIO_CONFIG": "/nonexistent/caspio-config.toml"]
        environment.merge(database?.environment ?? [:]) { $1 }
        environment["HOME"] = directory.path
        environment["XDG_STATE_HOME"] = directory.path + "/state"
        environment["XDG_RUNTIME_DIR"] = directory.path + "/run"
        environment["XDG_CACHE_HOME"] = directory.path + "/cache-home"
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// `caspio run FLAGS job.lua ARGS` with `source` as job.lua (the same name on every host).
    func start(_ source: String, _ flags: [String] = [], _ arguments: [String] = []) throws -> SpawnedProcess {
        let script = try write(source, to: directory.appendingPathComponent("job.lua"))
        return try SpawnedProcess(caspioBinary, ["run"] + flags + [script.path] + arguments, environment: environment, directory: directory, seconds: 60)
    }

    func run(_ source: String, _ flags: [String] = [], _ arguments: [String] = []) async throws -> ProcessResult {
        try await start(source, flags, arguments).finish()
    }

    func caspio(_ arguments: [String]) async throws -> ProcessResult {
        try await SpawnedProcess(caspioBinary, arguments, environment: environment, directory: directory, seconds: 60).finish()
    }
}

func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

func touch(_ path: String) throws { try write("", to: URL(fileURLWithPath: path)) }
