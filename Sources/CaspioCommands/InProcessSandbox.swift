import CaspioClient
import CaspioSandbox
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--sandbox`: a sandbox in this process on a free port, and the settings that point the
/// client at it.
enum InProcessSandbox {
    /// Starts the sandbox with the demo data; blocks until it listens.
    static func start(_ settings: SandboxSettings = .caspioLike) throws -> RunningSandbox {
        try blocking { try await RunningSandbox.start(settings) }
    }

    /// The variable that points `--sandbox` at the sandbox's REST API v4 instead of v3.
    static let apiVariable = "CASPIO_SANDBOX_API"

    /// 3 (unset or empty) or 4; any other value is an error naming the variable.
    static func apiVersion(_ environment: [String: String]) throws(SandboxAPIError) -> Int {
        switch environment[apiVariable] ?? "" {
        case "", "3": 3
        case "4": 4
        case let other: throw SandboxAPIError(description: "\(apiVariable)=\(other): give 3 or 4 (the REST API version --sandbox serves to the client)")
        }
    }

    static func stop(_ running: RunningSandbox) {
        _ = try? blocking { await running.stop() }
    }

    /// `flags` with the account replaced by the sandbox's: no config file, no profile, none of
    /// the environment's account settings, and no token cache (tokens of a throw-away server
    /// must not be kept). Budgets, pacing and the principal still apply.
    /// `apiVersion` (3 or 4, from apiVersion(_:)) picks the REST API the client speaks.
    static func overrides(for running: RunningSandbox, _ flags: ConfigurationOverrides, apiVersion: Int = 3) -> ConfigurationOverrides {
        var overrides = flags
        (overrides.profile, overrides.account, overrides.caFile, overrides.authStyle) = (nil, nil, nil, nil)
        overrides.baseURL = running.origin + ClientConfiguration.restPath(apiVersion)
        overrides.tokenURL = running.tokenURL
        overrides.clientID = running.sandbox.settings.clientID
        overrides.clientSecret = Secret(running.sandbox.settings.clientSecret)
        overrides.tokenCache = "off"
        overrides.accountFromOverridesOnly = true
        return overrides
    }
}

struct SandboxAPIError: Error { let description: String }
