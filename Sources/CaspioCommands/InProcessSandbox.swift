import CaspioClient
import CaspioSandbox
import Foundation

/// `--sandbox`: a sandbox in this process on a free port, and the settings that point the
/// client at it.
enum InProcessSandbox {
    /// Starts the sandbox with the demo data; blocks until it listens.
    static func start(_ settings: SandboxSettings = .caspioLike) throws -> RunningSandbox {
        try blocking { try await RunningSandbox.start(settings) }
    }

    static func stop(_ running: RunningSandbox) {
        _ = try? blocking { await running.stop() }
    }

    /// `flags` with the account replaced by the sandbox's: no config file, no profile, none of
    /// the environment's account settings, and no token cache (tokens of a throw-away server
    /// must not be kept). Budgets, pacing and the principal still apply.
    static func overrides(for running: RunningSandbox, _ flags: ConfigurationOverrides) -> ConfigurationOverrides {
        var overrides = flags
        (overrides.profile, overrides.account, overrides.caFile, overrides.authStyle) = (nil, nil, nil, nil)
        overrides.baseURL = running.baseURL
        overrides.tokenURL = running.tokenURL
        overrides.clientID = running.sandbox.settings.clientID
        overrides.clientSecret = Secret(running.sandbox.settings.clientSecret)
        overrides.tokenCache = "off"
        overrides.accountFromOverridesOnly = true
        return overrides
    }
}
