import Foundation
import NIOConcurrencyHelpers

/// An OAuth 2.0 token endpoint and a resource endpoint that behave as Caspio's do
/// (API-NOTES.md), with knobs for tests: token lifetimes, refusals, revocation, scripted
/// resource answers. Every request is recorded by the underlying server.
public final class FakeCaspio: Sendable {
    public struct Settings: Sendable {
        public var clientID = "test-client-id"
        public var clientSecret = "test-secret-Zq8yW3pL"
        /// `expires_in` of access tokens; nil omits it from the answer.
        public var tokenLifetime: Int? = 86399
        /// Leave `refresh_token` out of refresh answers (the old one stays valid).
        public var omitRefreshTokenOnRefresh = false
        /// How refresh grants are refused: nil accepts valid ones.
        public var refuseRefreshWith: Int? = nil
        /// Answer the token endpoint with this instead (e.g. an HTML error page).
        public var tokenEndpointOverride: TestHTTPServer.Reply? = nil
        public var tokenType = "bearer"
        /// Delay before token answers, so that concurrent requests pile up on one renewal.
        public var tokenDelay: Double = 0
        /// The token endpoint's `Date` header is this many seconds off the real time; nil sends none.
        public var clockOffset: Double? = 0
        /// Delay before answering a resource request (seconds, chosen per request), so that
        /// concurrent requests overlap at the server; see `maxInFlight`.
        public var resourceDelay: (@Sendable (TestHTTPServer.Request) -> Double)? = nil
        /// Answer an expired or revoked access token with `400 IncorrectQueryParameter`, as
        /// Caspio often does in production, instead of 401.
        public var staleTokenIs400 = false

        public init() {}
    }

    public struct State: Sendable {
        public var settings = Settings()
        public var accessTokens: [String: Date?] = [:]  // token -> expiry
        public var refreshTokens: Set<String> = []
        public var grants: [String: Int] = [:]
        public var serial = 0
        /// Scripted answers for resource requests, consumed in order before the default.
        public var scripted: [TestHTTPServer.Reply] = []
        public var resourceRequests = 0
        /// After this many resource requests, every access token (and with
        /// `revokeRefreshTokensToo` every refresh token) stops working.
        public var revokeAfterRequests: Int? = nil
        public var revokeRefreshTokensToo = false
        /// Resource requests received and not yet answered, now and at most.
        public var inFlight = 0
        public var maxInFlight = 0
        /// Tables served under …/tables/NAME/records.
        public var records = FakeRecords()
        public var files = FakeFiles()
        /// An account-wide rate limiter in front of the resource endpoint; nil for none.
        public var limiter: FakeAccountLimiter? = nil
    }

    public let server: TestHTTPServer
    public let state: NIOLockedValueBox<State>

    public init(tls: TestCertificates? = nil, settings: Settings = Settings()) throws {
        let state = NIOLockedValueBox(State(settings: settings))
        self.state = state
        server = try TestHTTPServer(tls: tls) { request in
            if request.path == "/oauth/token" { return FakeCaspio.token(request, state) }
            return FakeCaspio.instrumented(request, state)
        }
    }

    public var settings: Settings {
        get { state.withLockedValue { $0.settings } }
        set { state.withLockedValue { $0.settings = newValue } }
    }

    public var baseURL: String { server.origin + "/integrations/rest/v3" }
    public var tokenURL: String { server.origin + "/oauth/token" }
    public var grants: [String: Int] { state.withLockedValue { $0.grants } }
    public var grantCount: Int { grants.values.reduce(0, +) }
    public var tokenRequests: [TestHTTPServer.Request] { server.requests.filter { $0.path == "/oauth/token" } }
    public var resourceRequests: [TestHTTPServer.Request] { server.requests.filter { $0.path != "/oauth/token" } }

    /// Invalidates every access token (as if revoked or expired server-side).
    public func revokeAccessTokens() { state.withLockedValue { $0.accessTokens.removeAll() } }
    public func revokeRefreshTokens() { state.withLockedValue { $0.refreshTokens.removeAll() } }
    /// Revokes the access tokens (and refresh tokens too, if asked) once `count` more resource
    /// requests have been answered: a token that dies between two pages of a script.
    public func revokeTokens(afterRequests count: Int, refreshTokensToo: Bool = false) {
        state.withLockedValue {
            $0.revokeAfterRequests = $0.resourceRequests + count
            $0.revokeRefreshTokensToo = refreshTokensToo
        }
    }
    /// Puts an account-wide limiter in front of the resource endpoint.
    public func limit(_ limiter: FakeAccountLimiter) { state.withLockedValue { $0.limiter = limiter } }
    public var limiter: FakeAccountLimiter? { state.withLockedValue { $0.limiter } }
    /// The most resource requests the server held unanswered at once.
    public var maxInFlight: Int { state.withLockedValue { $0.maxInFlight } }
    public func script(_ replies: [TestHTTPServer.Reply]) { state.withLockedValue { $0.scripted += replies } }
    public func seed(_ table: String, count: Int) { state.withLockedValue { $0.records.seed(table, count: count) } }
    /// Answers reads as SQL Server may: see FakeRecords.shuffleSeed.
    public func shuffleReads(seed: UInt64) { state.withLockedValue { $0.records.shuffleSeed = seed } }
    public var tables: [String: [[String: JSONValue]]] { state.withLockedValue { $0.records.tables } }
    public var files: [FakeFiles.StoredFile] { state.withLockedValue { $0.files.files } }

    /// Environment variables that point the client at this server.
    public func environment(cacheDirectory: String?, caFile: String? = nil) -> [String: String] {
        var env = [
            "CASPIO_BASE_URL": baseURL, "CASPIO_TOKEN_URL": tokenURL, "CASPIO_CLIENT_ID": settings.clientID,
            "CASPIO_CLIENT_SECRET": settings.clientSecret, "CASPIO_TOKEN_CACHE": cacheDirectory ?? "off",
            "CASPIO_CONFIG": "/nonexistent/caspio-config.toml",
        ]
        if let caFile { env["CASPIO_CA_FILE"] = caFile }
        return env
    }

    public func shutdown() { server.shutdown() }

    // MARK: Token endpoint

    private static func token(_ request: TestHTTPServer.Request, _ state: NIOLockedValueBox<State>) -> TestHTTPServer.Reply {
        var reply = tokenReply(request, state)
        let settings = state.withLockedValue { $0.settings }
        reply.delay = settings.tokenDelay
        if let offset = settings.clockOffset { reply.headers.append(("Date", httpDate(Date().addingTimeInterval(offset)))) }
        return reply
    }

    private static func tokenReply(_ request: TestHTTPServer.Request, _ state: NIOLockedValueBox<State>) -> TestHTTPServer.Reply {
        let settings = state.withLockedValue { $0.settings }
        if let override = settings.tokenEndpointOverride { return override }
        guard request.method == "POST",
            request.header("Content-Type")?.hasPrefix("application/x-www-form-urlencoded") == true
        else { return oauthError(400, "invalid_request", "POST a form") }
        let form = request.form
        let basic = basicCredentials(request.header("Authorization"))
        switch form["grant_type"] {
        case "client_credentials":
            let (id, secret) = basic ?? (form["client_id"] ?? "", form["client_secret"] ?? "")
            guard id == settings.clientID, secret == settings.clientSecret else {
                return oauthError(401, "invalid_client", "Client authentication failed")
            }
            return issue(grant: "client_credentials", newRefresh: true, state)
        case "refresh_token":
            guard let (id, secret) = basic, id == settings.clientID, secret == settings.clientSecret else {
                return oauthError(401, "invalid_client", "refresh_token grants need HTTP Basic client credentials")
            }
            if let status = settings.refuseRefreshWith { return oauthError(status, "invalid_grant", "Refresh token expired") }
            let known = state.withLockedValue { $0.refreshTokens.contains(form["refresh_token"] ?? "") }
            guard known else { return oauthError(401, "invalid_grant", "Unknown refresh token") }
            return issue(grant: "refresh_token", newRefresh: !settings.omitRefreshTokenOnRefresh, state)
        default:
            return oauthError(400, "unsupported_grant_type", "grant_type must be client_credentials or refresh_token")
        }
    }

    private static func issue(grant: String, newRefresh: Bool, _ state: NIOLockedValueBox<State>) -> TestHTTPServer.Reply {
        state.withLockedValue { s in
            s.serial += 1
            s.grants[grant, default: 0] += 1
            let access = "access-\(s.serial)-\(UUID().uuidString.prefix(8))"
            let expiry = s.settings.tokenLifetime.map { Date().addingTimeInterval(Double($0)) }
            s.accessTokens[access] = expiry
            var body: [String: Any] = ["access_token": access, "token_type": s.settings.tokenType]
            if let lifetime = s.settings.tokenLifetime { body["expires_in"] = lifetime }
            if newRefresh {
                let refresh = "refresh-\(s.serial)-\(UUID().uuidString.prefix(8))"
                s.refreshTokens.insert(refresh)
                body["refresh_token"] = refresh
            }
            return .json(200, body)
        }
    }

    private static func oauthError(_ status: Int, _ code: String, _ description: String) -> TestHTTPServer.Reply {
        .json(status, ["error": code, "error_description": description])
    }

    private static func basicCredentials(_ header: String?) -> (String, String)? {
        guard let header, header.hasPrefix("Basic "), let data = Data(base64Encoded: String(header.dropFirst(6))) else {
            return nil
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    // MARK: Resource endpoint

    /// The resource endpoint with the test knobs around it: revocation after N requests,
    /// per-request delays, and the count of requests in flight.
    private static func instrumented(_ request: TestHTTPServer.Request, _ state: NIOLockedValueBox<State>) -> TestHTTPServer.Reply {
        if let refusal = state.withLockedValue({ $0.limiter?.refusal() }) { return refusal }
        var reply = resource(request, state)
        let delay = state.withLockedValue { s -> (@Sendable (TestHTTPServer.Request) -> Double)? in
            if let limit = s.revokeAfterRequests, s.resourceRequests >= limit {
                s.accessTokens.removeAll()
                if s.revokeRefreshTokensToo { s.refreshTokens.removeAll() }
                s.revokeAfterRequests = nil
            }
            s.inFlight += 1
            s.maxInFlight = max(s.maxInFlight, s.inFlight)
            return s.settings.resourceDelay
        }
        reply.delay = max(reply.delay, delay?(request) ?? 0)
        let previous = reply.onSent
        reply.onSent = {
            previous?()
            state.withLockedValue { $0.inFlight -= 1 }
        }
        return reply
    }

    private static func resource(_ request: TestHTTPServer.Request, _ state: NIOLockedValueBox<State>) -> TestHTTPServer.Reply {
        let requestID = UUID().uuidString.lowercased()
        let header = request.header("Authorization") ?? ""
        let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        let (valid, staleIs400) = state.withLockedValue { s -> (Bool, Bool) in
            s.resourceRequests += 1
            guard let expiry = s.accessTokens[token] else { return (false, s.settings.staleTokenIs400) }
            return (expiry.map { $0 > Date() } ?? true, s.settings.staleTokenIs400)
        }
        if !valid && staleIs400 {
            return .json(
                400,
                ["Code": "IncorrectQueryParameter", "Message": "Cannot perform operation because the query parameter is incorrect.", "Resource": request.uri, "RequestId": requestID],
                headers: [("X-Caspio-Request-ID", requestID)])
        }
        guard valid else {
            return .json(
                401,
                ["Code": "Unauthorized", "Message": "Authorization has been denied for this request.", "Resource": request.uri, "RequestId": requestID],
                headers: [("X-Caspio-Request-ID", requestID)])
        }
        if var reply = state.withLockedValue({ $0.scripted.isEmpty ? nil : $0.scripted.removeFirst() }) {
            reply.headers.append(("X-Caspio-Request-ID", requestID))
            return reply
        }
        let relative = request.path.components(separatedBy: "/rest/v2/").last.flatMap { $0 == request.path ? nil : $0 }
            ?? request.path.components(separatedBy: "/integrations/rest/v3/").dropFirst().first
        if let relative, var reply = state.withLockedValue({ $0.files.handle(request, path: relative) }) {
            reply.headers.append(("X-Caspio-Request-ID", requestID))
            return reply
        }
        if let relative, relative.hasPrefix("tables/") || relative.hasPrefix("views/") {
            var reply = state.withLockedValue { $0.records.handle(request, path: relative) }
            reply.headers.append(("X-Caspio-Request-ID", requestID))
            return reply
        }
        return .json(200, ["Result": [["path": request.path, "method": request.method]]], headers: [("X-Caspio-Request-ID", requestID)])
    }
}

extension FakeCaspio: CaspioEndpoint {
    public var clientID: String { settings.clientID }
    public var clientSecret: String { settings.clientSecret }
}
