/// When and how long to wait before trying a request again.
///
/// A write is never sent twice unless the server cannot have applied it. Retried for every
/// method: connection failures before any byte was sent, and 429 (the account refused the
/// work). Retried for GET, PUT and DELETE only: 408, 503, 502, 504, timeouts and connection
/// resets, any of which may come after the server applied a POST (a proxy's 503 after the row
/// was written): Caspio has no idempotency keys, so a replayed POST would duplicate it.
public struct RetryPolicy: Sendable {
    /// Total attempts, the first included.
    public var maxAttempts: Int
    /// Backoff before retry n (1-based) is uniform in [0, min(cap, base * 2^(n-1))] (full jitter).
    public var baseDelay: Double
    /// The longest single wait, also for `Retry-After`.
    public var maxDelay: Double
    /// Refusals (429, 503) one request may wait out before its refusal is the answer: waiting
    /// for the account to reopen is not an attempt, but an account that never reopens must
    /// not hold the run forever.
    public var maxRefusals: Int
    /// The longest `Retry-After` honoured for a refusal: resuming before the account reopens
    /// only earns another refusal (--timeout bounds the run).
    public var maxPause: Double

    public init(maxAttempts: Int = 4, baseDelay: Double = 0.5, maxDelay: Double = 30, maxRefusals: Int = 10, maxPause: Double = 300) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRefusals = maxRefusals
        self.maxPause = maxPause
    }

    /// How long the account stays closed after a refusal: its `Retry-After`, else backoff.
    func pause(afterRefusal refusal: Int, retryAfter: Double?) -> Double {
        retryAfter.map { min(max(0, $0), maxPause) } ?? delay(beforeRetry: refusal, retryAfter: nil)
    }

    public static let none = RetryPolicy(maxAttempts: 1)

    enum Failure {
        /// Nothing reached the server.
        case connectionNotEstablished
        /// The server may have received (part of) the request.
        case timeoutOrReset
        case status(Int)
        /// Trying again cannot help (e.g. an untrusted certificate).
        case permanent
    }

    /// Whether `failure` on attempt `attempt` (1-based) of `method` deserves another try.
    func shouldRetry(_ failure: Failure, method: String, attempt: Int) -> Bool {
        guard attempt < maxAttempts else { return false }
        let idempotent = Self.isIdempotent(method)
        switch failure {
        case .permanent: return false
        case .connectionNotEstablished: return true
        case .timeoutOrReset: return idempotent
        case .status(429): return true
        case .status(408), .status(502), .status(503), .status(504): return idempotent
        case .status: return false
        }
    }

    /// Whether a refusal (429, 503) may be answered by sending the request again once the
    /// account reopens: a 429 always (nothing was done), a 503 only when replaying is harmless.
    func replays(refusal status: Int, method: String) -> Bool {
        status == 429 || Self.isIdempotent(method)
    }

    /// Methods whose replay cannot duplicate anything.
    static func isIdempotent(_ method: String) -> Bool { method != "POST" && method != "PATCH" }

    /// How long to wait before the next attempt: the server's `Retry-After` (capped) when it
    /// gave one, else exponential backoff with full jitter.
    func delay(beforeRetry retry: Int, retryAfter: Double?, random: (Double) -> Double = { Double.random(in: 0...$0) })
        -> Double
    {
        if let retryAfter { return min(max(0, retryAfter), maxDelay) }
        let ceiling = min(maxDelay, baseDelay * Double(1 << min(retry - 1, 30)))
        return random(ceiling)
    }
}
