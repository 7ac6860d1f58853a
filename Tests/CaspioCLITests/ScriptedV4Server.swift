import CaspioTestSupport
import Foundation

/// Runs `source` as a script (`caspio run OPTIONS script.lua`) against a server that answers
/// as `reply` says, at a v4 base URL: for shapes of answers the sandbox does not give.
func runAgainstScriptedV4(
    _ reply: @escaping TestHTTPServer.Handler, options: [String] = [], _ source: String
) async throws -> ProcessResult {
    let server = try TestHTTPServer(handler: reply)
    defer { server.shutdown() }
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = try write(source, to: directory.appendingPathComponent("script.lua"))
    return try await caspio(["run"] + options + [script.path], environment: [
        "HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml", "CASPIO_TOKEN_CACHE": "off",
        "CASPIO_BASE_URL": server.origin + "/integrations/rest/v4", "CASPIO_TOKEN_URL": server.origin + "/oauth/token",
        "CASPIO_CLIENT_ID": "tolerance-client", "CASPIO_CLIENT_SECRET": "tolerance-secret",
    ], directory: directory)
}
