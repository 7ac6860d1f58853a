#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOConcurrencyHelpers

/// Caspio's rate limits (API-NOTES.md, "Limits and cost"): a sliding window of requests per
/// account, and a per-second burst limit that locks the whole account for a while; both
/// answer 429 with Retry-After. Refused requests count toward neither.
final class RateLimiter: Sendable {
    private struct State {
        var times: [Double] = []
        var lockedUntil: Double = 0
        var refusals = 0
        var lockouts = 0
    }

    private let limit: SandboxSettings.RateLimit?
    private let state = NIOLockedValueBox(State())

    init(_ limit: SandboxSettings.RateLimit?) { self.limit = limit }

    var refusals: Int { state.withLockedValue { $0.refusals } }
    var lockouts: Int { state.withLockedValue { $0.lockouts } }

    /// Admits one request at `now` (seconds) or throws the 429.
    func admit(now: Double) throws(APIError) {
        guard let limit else { return }
        let wait = state.withLockedValue { s -> Double? in
            if now < s.lockedUntil {
                s.refusals += 1
                return s.lockedUntil - now
            }
            s.times.removeAll { $0 <= now - limit.window }
            if s.times.count >= limit.requests {
                s.refusals += 1
                return (s.times.first ?? now) + limit.window - now
            }
            if s.times.reversed().prefix { $0 > now - 1 }.count >= limit.burstPerSecond {
                s.lockedUntil = now + limit.lockout
                s.refusals += 1
                s.lockouts += 1
                return limit.lockout
            }
            s.times.append(now)
            return nil
        }
        guard let wait else { return }
        var error = APIError(429, "TooManyRequests", "Rate limit exceeded: retry after \(Int(wait.rounded(.up))) s")
        error.headers = [("Retry-After", String(max(1, Int(wait.rounded(.up)))))]
        throw error
    }
}
