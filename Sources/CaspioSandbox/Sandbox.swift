import Foundation
import NIOConcurrencyHelpers

/// The sandbox's request handling, independent of the HTTP server: token endpoint, resource
/// endpoints under `/rest/v2` and `/integrations/rest/v3`, chaos, and `/_sandbox/stats`.
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
    }

    private let counters: NIOLockedValueBox<Counters>

    public init(settings: SandboxSettings) throws {
        self.settings = settings
        store = try Store(path: settings.dataPath)
        counters = NIOLockedValueBox(Counters(random: SplitMix64(seed: settings.chaosSeed)))
        if let path = settings.seedPath {
            try Seed.load(path: path, into: store)
        } else if settings.demoSeed, try store.locked({ try store.tableNames().isEmpty }) {
            try Seed.loadDemo(into: store)
        }
    }

    static let prefixes = ["/integrations/rest/v3/", "/rest/v2/"]

    /// Answers one request. Every answer carries `X-Caspio-Request-ID`.
    public func handle(_ request: SandboxRequest) -> SandboxResponse {
        let requestID = UUID().uuidString.lowercased()
        var reply: SandboxResponse
        do {
            reply = try route(request)
        } catch let error as APIError {
            reply = error.response(resource: request.uri, requestID: requestID)
        } catch {
            reply = APIError(500, "InternalError", "\(error)").response(resource: request.uri, requestID: requestID)
        }
        reply.headers.append(("X-Caspio-Request-ID", requestID))
        return reply
    }

    private func route(_ request: SandboxRequest) throws -> SandboxResponse {
        counters.withLockedValue { $0.requests += 1 }
        if request.path == "/oauth/token" { return try token(request) }
        if request.path == "/_sandbox/stats" { return .json(200, stats) }
        guard let prefix = Self.prefixes.first(where: { request.path.hasPrefix($0) }) else {
            throw APIError.notFound("Cannot find resource \(request.path)")
        }
        try authorize(request)
        try chaos()
        let parts = request.path.dropFirst(prefix.count).split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        return try resource(request, parts)
    }

    // MARK: Authentication

    private func token(_ request: SandboxRequest) throws -> SandboxResponse {
        guard request.method == "POST", request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true else {
            return oauthError(400, "invalid_request", "POST an application/x-www-form-urlencoded form")
        }
        let form = SandboxRequest.form(String(decoding: request.body, as: UTF8.self))
        let basic = basicCredentials(request.header("Authorization"))
        let now = Date()
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
                return c.tokens.issue(grant: "refresh_token", accessTTL: settings.tokenTTL, refreshTTL: settings.refreshTTL, newRefresh: false, now: now)
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
        let valid = counters.withLockedValue { $0.tokens.isValid(access: token, now: Date()) }
        guard valid else {
            var error = APIError(401, "Unauthorized", token.isEmpty ? "Authorization has been denied for this request: no bearer token." : "Authorization has been denied for this request: the token is expired or revoked.")
            error.headers = [("WWW-Authenticate", "Bearer")]
            throw error
        }
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
            error.headers = [("Retry-After", "1")]
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
            ])
        }
    }
}

/// A small seeded generator, so that `--fail-rate` draws repeat from run to run.
struct SplitMix64 {
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
