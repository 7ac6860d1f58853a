#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOConcurrencyHelpers

/// The sandbox's request handling, independent of the HTTP server: what every request goes
/// through (URI limit, bearer token, rate limit, chaos), the token endpoint and
/// `/_sandbox/stats`. The API's operations are `Route`s, one file per resource (`*Routes.swift`),
/// over the `Store`.
public final class Sandbox: Sendable {
    public let settings: SandboxSettings
    let store: Store

    struct Counters {
        var tokens = Tokens()
        var requests = 0
        var resourceRequests = 0
        var failures = 0
        var revocations = 0
        var random: SplitMix64
        var orderRandom: SplitMix64
    }

    let counters: NIOLockedValueBox<Counters>
    let limiter: RateLimiter
    let webhooks: WebhookDelivery
    /// What token lifetimes and the rate limit are measured with.
    let clock: SandboxClock

    /// `clock`: the real one to serve; a test's to move token lifetimes and rate limits on
    /// without waiting.
    public init(settings: SandboxSettings, clock: SandboxClock = .real) throws {
        self.settings = settings
        self.clock = clock
        store = try Store(path: settings.dataPath, clock: clock.now)
        counters = NIOLockedValueBox(Counters(random: SplitMix64(seed: settings.chaosSeed), orderRandom: SplitMix64(seed: settings.orderSeed)))
        limiter = RateLimiter(settings.rateLimit)
        webhooks = WebhookDelivery(settings: settings, clock: clock)
        if let path = settings.seedPath {
            try Seed.load(path: path, into: store)
        } else if settings.demoSeed, try store.locked({ try store.tableNames().isEmpty }) {
            try Seed.loadDemo(into: store, staffTable: settings.demoStaffTable)
        }
    }

    /// Answers one request: counts it, checks the URI limit and (for the API) the bearer
    /// token, the rate limit and chaos, then runs `handler`. Every answer carries
    /// `X-Caspio-Request-ID`; failures come in Caspio's error body.
    func handle(_ request: SandboxRequest, authenticated: Bool, _ handler: (Sandbox, SandboxRequest) throws -> SandboxResponse) -> SandboxResponse {
        counters.withLockedValue { $0.requests += 1 }
        do {
            // API-NOTES.md: the request URI may be at most 2,047 characters.
            if request.uri.utf8.count > settings.maxURILength {
                throw APIError(414, "RequestUriTooLong", "The request URI is longer than \(settings.maxURILength) characters")
            }
            if authenticated {
                try authorize(request)
                try limiter.admit(now: clock.now().timeIntervalSince1970)
                try chaos()
            }
            var reply = try handler(self, request)
            reply.headers.append(("X-Caspio-Request-ID", UUID().uuidString.lowercased()))
            return reply
        } catch let error as APIError {
            return render(error, uri: request.uri, version: request.version)
        } catch let error as StoreError {
            return render(request.version == 4 ? V4Errors.error(error) : APIError(error), uri: request.uri, version: request.version)
        } catch {
            return render(APIError(500, "InternalError", "\(error)"), uri: request.uri, version: request.version)
        }
    }

    /// Caspio's error body (v4's with its hint), its `RequestId` the same as the header's.
    func render(_ error: APIError, uri: String, version: Int = 3) -> SandboxResponse {
        let requestID = UUID().uuidString.lowercased()
        var reply = error.response(resource: uri, requestID: requestID, version: version)
        reply.headers.append(("X-Caspio-Request-ID", requestID))
        return reply
    }

    /// A seed for shuffling one answer's unordered rows, or nil with `--stable-order`: each
    /// request draws anew, as Caspio's unordered pages differ from call to call.
    func shuffleSeed() -> UInt64? {
        guard settings.shuffleUnordered else { return nil }
        return counters.withLockedValue { $0.orderRandom.next() }
    }

    // MARK: Authentication

    func token(_ request: SandboxRequest) throws -> SandboxResponse {
        guard request.method == "POST", request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true else {
            return oauthError(400, "invalid_request", "POST an application/x-www-form-urlencoded form")
        }
        let form = SandboxRequest.form(String(decoding: request.body, as: UTF8.self))
        let basic = basicCredentials(request.header("Authorization"))
        let now = clock.now()
        switch form["grant_type"] {
        case "client_credentials":
            let (id, secret) = basic ?? (form["client_id"] ?? "", form["client_secret"] ?? "")
            guard id == settings.clientID, secret == settings.clientSecret else {
                return oauthError(401, "invalid_client", "Client authentication failed")
            }
            return .json(200, counters.withLockedValue {
                $0.tokens.issue(grant: "client_credentials", accessTTL: settings.tokenTTL, refreshTTL: settings.refreshTTL, newRefresh: true, now: now)
            })
        case "refresh_token":
            guard let (id, secret) = basic, id == settings.clientID, secret == settings.clientSecret else {
                return oauthError(401, "invalid_client", "refresh_token grants need HTTP Basic client credentials")
            }
            let answer = counters.withLockedValue { c -> JSON? in
                guard c.tokens.isValid(refresh: form["refresh_token"] ?? "", now: now) else { return nil }
                // Caspio leaves refresh_token out of renewals: the old one stays valid.
                return c.tokens.issue(
                    grant: "refresh_token", accessTTL: settings.tokenTTL, refreshTTL: settings.refreshTTL,
                    newRefresh: settings.rotateRefreshTokens, now: now)
            }
            guard let answer else { return oauthError(401, "invalid_grant", "The refresh token is invalid or expired") }
            return .json(200, answer)
        default:
            return oauthError(400, "unsupported_grant_type", "grant_type must be client_credentials or refresh_token")
        }
    }

    private func oauthError(_ status: Int, _ code: String, _ description: String) -> SandboxResponse {
        .json(status, .object([("error", .string(code)), ("error_description", .string(description))]))
    }

    private func authorize(_ request: SandboxRequest) throws(APIError) {
        let header = request.header("Authorization") ?? ""
        let token = header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)) : ""
        let valid = counters.withLockedValue { $0.tokens.isValid(access: token, now: clock.now()) }
        guard valid else {
            if settings.staleTokenAs400, !token.isEmpty {
                throw APIError(400, "IncorrectQueryParameter", "Cannot perform operation because the query parameter is incorrect.")
            }
            var error = APIError(401, "Unauthorized", token.isEmpty ? "Authorization has been denied for this request: no bearer token." : "Authorization has been denied for this request: the token is expired or revoked.")
            error.headers = [("WWW-Authenticate", "Bearer")]
            throw error
        }
    }

    /// When the request's bearer token expires (`GET /v4/me`).
    func tokenExpiry(_ request: SandboxRequest) -> Date? {
        let header = request.header("Authorization") ?? ""
        let token = header.lowercased().hasPrefix("bearer ") ? String(header.dropFirst(7)) : ""
        return counters.withLockedValue { $0.tokens.accessTokens[token] }
    }

    // MARK: Chaos

    /// Counts the resource request, revokes tokens every N, and fails a share of requests.
    /// The request that triggers a revocation is still answered: the next one sees the 401.
    private func chaos() throws(APIError) {
        let fail = counters.withLockedValue { c -> Bool in
            c.resourceRequests += 1
            if settings.revokeEvery > 0, c.resourceRequests % settings.revokeEvery == 0 {
                c.tokens.revokeAccessTokens()
                c.revocations += 1
            }
            guard settings.failRate > 0, c.random.nextUnit() < settings.failRate else { return false }
            c.failures += 1
            return true
        }
        if fail {
            var error = APIError(503, "ServiceUnavailable", "The sandbox failed this request on purpose (--fail-rate)")
            if let seconds = settings.failRetryAfter { error.headers = [("Retry-After", String(seconds))] }
            throw error
        }
    }

    /// What the sandbox has served: requests of all kinds, grants by type, chaos effects.
    var stats: JSON {
        counters.withLockedValue { c in
            .object([
                ("requests", .int(c.requests)), ("resourceRequests", .int(c.resourceRequests)),
                ("grants", .object(c.tokens.grants.keys.sorted().map { ($0, .int(c.tokens.grants[$0]!)) })),
                ("grantCount", .int(c.tokens.grants.values.reduce(0, +))),
                ("failures", .int(c.failures)), ("revocations", .int(c.revocations)),
                ("rateLimited", .int(limiter.refusals)), ("webhooks", webhooks.stats),
            ])
        }
    }
}

/// A small seeded generator, so that `--fail-rate` draws repeat from run to run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func nextUnit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
