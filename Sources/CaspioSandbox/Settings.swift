#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What `caspio sandbox` and `caspio run --sandbox` can change.
public struct SandboxSettings: Sendable {
    /// The sandbox's own demo credentials: not secrets, printed so that scripts can use them.
    public var clientID = "sandbox-client"
    public var clientSecret = "sandbox-secret"
    /// 0 picks a free port.
    public var port = 0
    /// A SQLite file that keeps the data between runs; nil keeps it in memory.
    public var dataPath: String? = nil
    /// Tables to load instead of the built-in demo (see `Seed`).
    public var seedPath: String? = nil
    /// Load the demo tables when the database has no tables yet and no seed file is given.
    public var demoSeed = true
    /// Adds the demo's Staff table (FILE, PASSWORD, DATE/TIME, LIST and TIMESTAMP fields) and
    /// its Documents table (a file on each row). The sandbox users run has them (`caspioLike`);
    /// the type's default leaves them out for unit tests.
    public var demoStaffTable = false
    /// Seconds an access token lives (Caspio: 86399) and a refresh token lives.
    public var tokenTTL: Double = 86399
    public var refreshTTL: Double = 60 * 86400
    /// Renewals answer a new refresh token (the old one stays valid), as some OAuth servers
    /// do; off, as Caspio leaves `refresh_token` out of renewals.
    public var rotateRefreshTokens = false
    /// A stale or revoked access token gets `400 IncorrectQueryParameter` instead of 401, as
    /// users report Caspio often answers in production (API-NOTES.md, "Reported by users").
    public var staleTokenAs400 = false
    /// Chaos: a delay before each resource answer, the share of resource requests answered 503
    /// (with `Retry-After: failRetryAfter`, or bare when nil), and revocation of all access
    /// tokens every N resource requests.
    public var latencyMilliseconds = 0
    public var failRate: Double = 0
    /// 1 by default: a 503 asking the client to wait is the harder case (it pauses a careful
    /// client's whole run); nil sends bare 503s, as a server failing at random does.
    public var failRetryAfter: Int? = 1
    public var revokeEvery = 0
    /// Seeds the fail-rate draws, so that a chaotic run can be replayed.
    public var chaosSeed: UInt64 = 1
    /// Largest upload accepted (413 above).
    public var maxUploadBytes = 20 * 1024 * 1024

    /// Unordered results (no q.orderBy) come shuffled anew on every request, as Caspio's
    /// unordered pages differ from call to call; `--stable-order` turns that off. On in the
    /// sandbox users run (`caspioLike`); off in the type's default, for unit tests of other parts.
    public var shuffleUnordered = false
    /// Seeds the shuffles, so that a run can be replayed.
    public var orderSeed: UInt64 = 1
    /// API-NOTES.md: the request URI may be at most 2,047 characters.
    public var maxURILength = 2047
    /// v4's guard against always-true conditions in bulk updates and deletes (on, as Caspio's
    /// is "when the guard is active"; off only for tests of what lies behind it).
    public var tautologyGuard = true
    /// Whether v4's clauses take T-SQL's checksum functions (`V4Choices.checksumFunctions`):
    /// on; off only for tests of a client's way around a Caspio that refuses them.
    public var checksumFunctions = true
    /// Caspio's rate limits (`--rate-limit 2000/300s`, what `caspio sandbox` and `--sandbox`
    /// use); nil: none (the default of the type, for tests that burst on purpose).
    public var rateLimit: RateLimit? = nil

    /// Caspio's published limit, third-party figure (API-NOTES.md).
    public static let caspioRateLimit = "2000/300s"

    /// The sandbox as users run it (`caspio sandbox`, `--sandbox`): as hard as Caspio where
    /// Caspio is hard, every edge on (each has a switch to relax it).
    public static var caspioLike: SandboxSettings {
        var settings = SandboxSettings()
        settings.demoStaffTable = true
        settings.shuffleUnordered = true
        // The per-second burst lockout is Caspio's too, but its threshold is not published:
        // off unless asked for (`--burst-limit`), so that no guess fails a script.
        settings.rateLimit = RateLimit.parse(caspioRateLimit).map { RateLimit(requests: $0.requests, window: $0.window, burstPerSecond: .max) }
        return settings
    }
    /// Webhook delivery: attempts per message and the pause before the first retry (doubling).
    public var webhookAttempts = 3
    public var webhookRetryDelay: Double = 1
    /// Caspio's messages are at most 10 MB: more changed rows are split over several messages.
    public var webhookMessageBytes = 10 * 1024 * 1024

    public struct RateLimit: Sendable, Equatable {
        /// At most `requests` resource requests in any `window` seconds, answered 429 beyond.
        public var requests: Int
        public var window: Double
        /// More than this many requests within one second lock the whole account for
        /// `lockout` seconds: every request, reads included, gets 429 meanwhile.
        public var burstPerSecond: Int
        public var lockout: Double

        public init(requests: Int, window: Double, burstPerSecond: Int = 50, lockout: Double = 5) {
            self.requests = requests
            self.window = window
            self.burstPerSecond = burstPerSecond
            self.lockout = lockout
        }

        /// `2000/300s`: requests per duration.
        public static func parse(_ text: String) -> RateLimit? {
            let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2, let count = Int(parts[0]), count > 0, let window = SandboxSettings.duration(parts[1]) else { return nil }
            return RateLimit(requests: count, window: window)
        }
    }

    public init() {}

    /// `5s`, `10m`, `2h`, `1d`, `500ms` or plain seconds.
    public static func duration(_ text: String) -> Double? {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            if let value = Double(text.dropLast(suffix.count)), value > 0 { return value * scale }
        }
        return Double(text).flatMap { $0 > 0 ? $0 : nil }
    }
}
