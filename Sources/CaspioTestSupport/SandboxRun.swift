import Foundation

/// Runs `caspio run --sandbox [flags] SCRIPT` (a fresh sandbox in the process, with the demo
/// data) in `directory`, also its HOME, with no CASPIO_* settings of the caller leaking in;
/// `environment` is added last. Killed, and the test failed, if it runs past its deadline.
public func caspioInSandbox(script: String, flags: [String] = [], environment: [String: String] = [:], directory: URL) async throws -> ProcessResult {
    var env = ["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml"]
    for variable in ["CASPIO_BASE_URL", "CASPIO_TOKEN_URL", "CASPIO_CLIENT_ID", "CASPIO_CLIENT_SECRET", "CASPIO_ACCOUNT", "CASPIO_PROFILE", "CASPIO_PRINCIPAL"] {
        env[variable] = ""
    }
    env.merge(environment) { $1 }
    return try await caspio(["run", "--sandbox"] + flags + [script], environment: env, directory: directory)
}

/// Runs Lua `source` with `caspio run --sandbox` in a fresh directory (removed afterwards).
public func runLuaInSandbox(_ source: String, flags: [String] = [], environment: [String: String] = [:]) async throws -> ProcessResult {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let script = try write(source, to: directory.appendingPathComponent("script.lua"))
    return try await caspioInSandbox(script: script.path, flags: flags, environment: environment, directory: directory)
}

/// A Lua prelude for sandbox scripts: `expect_error(fn, ...)` prints how a call failed:
/// `error STATUS CODE` for HTTP errors, `error MESSAGE` (without its position) for others.
public let luaExpectError = """
    local function expect_error(fn, ...)
      local ok, e = pcall(fn, ...)
      if ok then print("no error") return end
      if type(e) == "table" then print("error", e.status, e.code) else print("error", (tostring(e):gsub("^[^:]*:%d+: ", ""))) end
    end

    """
