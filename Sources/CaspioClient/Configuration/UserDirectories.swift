#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Where this user's files live: config, tokens and the ledger, state, locks and history,
/// every one derived the same way from `$HOME` and the XDG base-directory variables, so that
/// a cron job and a login shell of one user find the same files. The user database's home is
/// used only when `HOME` is not set at all, and then for every path alike.
public struct UserDirectories: Sendable {
    public let environment: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.environment = environment
    }

    public var home: String {
        if let home = environment["HOME"], !home.isEmpty { return home }
        if let entry = getpwuid(getuid()), let directory = entry.pointee.pw_dir { return String(cString: directory) }
        return "/"
    }

    /// `$XDG_CONFIG_HOME/caspio`, else `~/.config/caspio`.
    public var config: String { base("XDG_CONFIG_HOME", "/.config") + "/caspio" }
    /// `$XDG_CACHE_HOME/caspio`, else `~/.cache/caspio`: tokens and the usage ledger.
    public var cache: String { base("XDG_CACHE_HOME", "/.cache") + "/caspio" }
    /// `$XDG_STATE_HOME/caspio`, else `~/.local/state/caspio`: `caspio.state` files, history.
    public var state: String { base("XDG_STATE_HOME", "/.local/state") + "/caspio" }
    /// Beside the state the locks protect, never under `$XDG_RUNTIME_DIR`: a cron job has no
    /// runtime directory, and a lock only one of two runs can see locks nothing.
    public var locks: String { state + "/locks" }
    /// Where earlier versions kept the locks (`$XDG_RUNTIME_DIR/caspio/locks`): nothing is
    /// locked there any more, so what is left there is cleaned up.
    public var retiredLocks: String? {
        guard let runtime = environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/") else { return nil }
        return runtime + "/caspio/locks"
    }

    /// `~/x` as `$HOME/x`; other paths as given.
    public func expandingTilde(_ path: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }

    /// The XDG variable when it holds an absolute path (the specification says to ignore a
    /// relative one), else the default under the home.
    private func base(_ variable: String, _ fallback: String) -> String {
        if let value = environment[variable], value.hasPrefix("/") { return value }
        return home + fallback
    }
}
