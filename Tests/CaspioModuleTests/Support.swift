import CaspioTestSupport
import Foundation
import Testing

/// Runs a Lua script with the built `caspio` against `fake` (the emulator, maybe behind a front; token cache in a fresh directory).
/// For what is about processes: exit statuses, output streams, files, the command line.
func runLua(
    _ source: String, against fake: any CaspioEndpoint, flags: [String] = [], environment: [String: String] = [:]
) async throws -> ProcessResult {
    // Killed, and the test failed with what it printed, if it runs past its deadline.
    try await startLua(source, against: fake, flags: flags, environment: environment).finish()
}

/// `runLua`'s process, started.
func startLua(
    _ source: String, against fake: any CaspioEndpoint, flags: [String] = [], environment: [String: String] = [:]
) throws -> SpawnedProcess {
    let directory = try temporaryDirectory()
    let script = try write(source, to: directory.appendingPathComponent("script.lua"))
    var env = fake.environment(cacheDirectory: directory.path + "/cache", caFile: nil)
    env["HOME"] = directory.path
    env.merge(environment) { $1 }
    return try SpawnedProcess(caspioBinary, ["run"] + flags + [script.path], environment: env, directory: directory)
}
