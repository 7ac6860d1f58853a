import Foundation

/// Caspio's limiter as third parties describe it: more than `maxRequests` in `window` seconds
/// locks the whole account for `lockout` seconds, every request refused with 429 meanwhile.
public struct FakeAccountLimiter: Sendable {
    public var maxRequests: Int
    public var window: Double
    public var lockout: Double
    /// Accepted requests in the current window, newest last.
    var recent: [Date] = []
    var lockedUntil: Date?
    /// Times the account was locked, and 429s answered.
    public private(set) var lockouts = 0
    public private(set) var refusals = 0

    public init(maxRequests: Int = 10, window: Double = 1, lockout: Double = 2) {
        self.maxRequests = maxRequests
        self.window = window
        self.lockout = lockout
    }

    /// A 429 if the account is (or now becomes) locked; nil to serve the request.
    mutating func refusal(at now: Date = Date()) -> TestHTTPServer.Reply? {
        if let until = lockedUntil, until > now { return refuse(retryAfter: until.timeIntervalSince(now)) }
        recent.removeAll { $0 <= now.addingTimeInterval(-window) }
        recent.append(now)
        guard recent.count > maxRequests else { return nil }
        lockedUntil = now.addingTimeInterval(lockout)
        lockouts += 1
        recent.removeAll()
        return refuse(retryAfter: lockout)
    }

    private mutating func refuse(retryAfter: Double) -> TestHTTPServer.Reply {
        refusals += 1
        return .json(
            429, ["Code": "TooManyRequests", "Message": "The account's rate limit was exceeded."],
            headers: [("Retry-After", String(Int(retryAfter.rounded(.up))))])
    }
}
