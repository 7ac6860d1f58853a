import CaspioTestSupport
import Foundation

/// Runs a Lua script with the built `caspio` against `fake` (token cache in a fresh directory).
func runLua(
    _ source: String, against fake: FakeCaspio, flags: [String] = [], environment: [String: String] = [:]
) throws -> ProcessResult {
    let directory = try temporaryDirectory()
    let script = try write(source, to: directory.appendingPathComponent("script.lua"))
    var env = fake.environment(cacheDirectory: directory.path + "/cache")
    env["HOME"] = directory.path
    env.merge(environment) { $1 }
    return try caspio(["run"] + flags + [script.path], environment: env, directory: directory)
}
