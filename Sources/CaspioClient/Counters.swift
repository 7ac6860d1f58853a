import NIOConcurrencyHelpers

/// What a run has cost so far: requests (by method), retries, token grants (by type), bytes,
/// rows, refusals and pauses. Also enforces the call budget.
public final class Counters: Sendable {
    public struct Snapshot: Sendable, Equatable {
        public var requests = 0
        public var requestsByMethod: [String: Int] = [:]
        public var retries = 0
        public var grants: [String: Int] = [:]
        public var bytesIn = 0
        public var bytesOut = 0
        public var rowsRead = 0
        public var rowsWritten = 0
        /// Refusals: 429 answers, and 503s with Retry-After (a bare 503 is a retry).
        public var throttled = 0
        /// Times the run's requests were paused for the account to reopen.
        public var pauses = 0
        /// Seconds the run's requests spent waiting for the account to reopen.
        public var paused = 0.0

        public init() {}
    }

    private let values = NIOLockedValueBox(Snapshot())

    public init() {}

    public var snapshot: Snapshot { values.withLockedValue { $0 } }

    /// Counts one request about to be sent, unless it would exceed `budget`.
    func reserveRequest(method: String, url: String, budget: Int?) throws(CaspioError) {
        let allowed = values.withLockedValue { v -> Bool in
            if let budget, v.requests >= budget { return false }
            v.requests += 1
            v.requestsByMethod[method, default: 0] += 1
            return true
        }
        if !allowed {
            throw CaspioError(
                .budget,
                "the request budget of \(budget ?? 0) requests is spent; this request was not sent (raise --max-requests or CASPIO_MAX_REQUESTS if the script really needs more)",
                method: method, url: url)
        }
    }

    /// Gives back a request reserved but not sent (a budget across runs said no).
    func releaseRequest(method: String) {
        values.withLockedValue {
            $0.requests -= 1
            $0.requestsByMethod[method, default: 1] -= 1
            if $0.requestsByMethod[method] == 0 { $0.requestsByMethod[method] = nil }
        }
    }

    func countRefusal(pausedFor seconds: Double, newPause: Bool) {
        values.withLockedValue {
            $0.throttled += 1
            $0.paused += seconds
            if newPause { $0.pauses += 1 }
        }
    }

    func countRetry() { values.withLockedValue { $0.retries += 1 } }
    func countGrant(_ grant: TokenSet.Grant) { values.withLockedValue { $0.grants[grant.rawValue, default: 0] += 1 } }
    func countBytes(sent: Int, received: Int) {
        values.withLockedValue {
            $0.bytesOut += sent
            $0.bytesIn += received
        }
    }
    public func countRows(read: Int = 0, written: Int = 0) {
        values.withLockedValue {
            $0.rowsRead += read
            $0.rowsWritten += written
        }
    }
}
