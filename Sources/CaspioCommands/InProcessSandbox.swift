import CaspioClient
import CaspioSandbox
import Foundation

/// `--sandbox` for `caspio run` and `caspio repl`: a
/// sandbox in this process on a free port, and the environment that points the client at it.
enum InProcessSandbox {
    /// Starts the sandbox with the demo data; blocks until it listens.
    static func start(_ settings: SandboxSettings = .caspioLike) throws -> RunningSandbox {
        try blocking { try await RunningSandbox.start(settings) }
    }

    static func stop(_ running: RunningSandbox) {
        _ = try? blocking { await running.stop() }
    }

    /// The process environment with the account settings replaced by the sandbox's: no config
    /// file, no profile, and no token cache (tokens of a throw-away server must not be kept).
    static func environment(for running: RunningSandbox, base: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var environment = base
        for name in ["CASPIO_PROFILE", "CASPIO_ACCOUNT", "CASPIO_AUTH_STYLE", "CASPIO_CA_FILE"] { environment[name] = nil }
        for (name, value) in running.environment { environment[name] = value }
        environment["CASPIO_TOKEN_CACHE"] = "off"
        environment["CASPIO_CONFIG"] = "/nonexistent/caspio-sandbox-config.toml"
        return environment
    }
}
