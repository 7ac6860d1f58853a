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
    /// Seconds an access token lives (Caspio: 86399) and a refresh token lives.
    public var tokenTTL: Double = 86399
    public var refreshTTL: Double = 60 * 86400
    /// Chaos: a delay before each resource answer, the share of resource requests answered 503
    /// with Retry-After, and revocation of all access tokens every N resource requests.
    public var latencyMilliseconds = 0
    public var failRate: Double = 0
    public var revokeEvery = 0
    /// Seeds the fail-rate draws, so that a chaotic run can be replayed.
    public var chaosSeed: UInt64 = 1
    /// Largest upload accepted (413 above).
    public var maxUploadBytes = 20 * 1024 * 1024

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
