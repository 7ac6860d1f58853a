import Foundation
import Logging

/// One request to the resource API.
public struct CaspioRequest: Sendable {
    public var method: String
    /// Relative to the base URL (leading `/` or not), or an absolute URL on its origin.
    public var path: String
    public var query: [(String, String)]
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Defaults to application/json when there is a body.
    public var contentType: String?
    /// Seconds for the whole request (all of its bytes); nil for the default.
    public var timeout: Double?
    /// Stream a successful answer's body to this file instead of memory.
    public var downloadTo: String?

    public init(
        _ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8]? = nil, contentType: String? = nil, timeout: Double? = nil
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.contentType = contentType
        self.timeout = timeout
    }
}

/// The server's answer, whatever its status.
public struct CaspioResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]
    public var method: String
    public var url: String

    public init(status: Int, headers: [(String, String)], body: [UInt8], method: String, url: String) {
        self.status = status
        self.headers = headers
        self.body = body
        self.method = method
        self.url = url
    }

    public func header(_ name: String) -> String? {
        headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
    }

    /// `X-Caspio-Request-ID`, or `RequestId` from an error body.
    public var requestID: String? {
        if let id = header("X-Caspio-Request-ID"), !id.isEmpty { return id }
        return errorBody?["RequestId"] as? String
    }

    public var isJSON: Bool {
        guard let type = header("Content-Type")?.lowercased() else { return false }
        return type.hasPrefix("application/json") || type.contains("+json")
    }

    private var errorBody: [String: Any]? {
        guard status >= 400, !body.isEmpty else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
    }

    /// Caspio's error (`{Code, Message, Resource, RequestId}`) as a value.
    public var error: CaspioError {
        let object = errorBody
        var message = (object?["Message"] as? String) ?? (object?["message"] as? String) ?? ""
        if message.isEmpty {
            message = body.isEmpty ? "(empty body)" : excerpt(body, redacting: [])
        }
        return CaspioError(
            status == 401 ? .auth : .http, message, status: status,
            code: (object?["Code"] as? String) ?? (object?["code"] as? String), requestID: requestID, method: method,
            url: url)
    }
}

/// The native Caspio client: configuration, tokens and transport together. Scripts never see
/// tokens: every request gets a valid one, a 401 renews it and replays the request once.
public final class CaspioClient: Sendable {
    public let configuration: ClientConfiguration
    public let counters: Counters
    public let tokens: TokenManager
    public let tokenCache: TokenCache?
    let transport: HTTPTransport
    let target: RequestTarget
    let logger: Logger

    /// `now` replaces the wall clock in tests of renewal timing.
    public init(
        configuration: ClientConfiguration, logger: Logger, counters: Counters = Counters(),
        now: (@Sendable () -> Date)? = nil
    ) throws(CaspioError) {
        self.configuration = configuration
        self.counters = counters
        self.logger = logger
        SecretRedactor.shared.register(configuration.clientSecret)
        transport = try HTTPTransport(configuration: configuration, counters: counters, logger: logger)
        target = RequestTarget(baseURL: configuration.baseURL)
        let cache = configuration.tokenCacheDirectory.map { directory in
            TokenCache(
                directory: directory, tokenURL: configuration.tokenURL.absoluteString, clientID: configuration.clientID,
                warn: { logger.warning("\($0)") })
        }
        tokenCache = cache
        tokens = TokenManager(
            endpoint: TokenEndpoint(configuration: configuration, transport: transport, counters: counters),
            cache: cache, logger: logger, now: now ?? { Date() })
    }

    public func shutdown() async { await transport.shutdown() }

    /// Sends a request with a valid token; on 401 renews and replays once. Any status comes
    /// back as a response; failures to get one (network, auth, budget) are thrown.
    public func send(_ request: CaspioRequest) async throws(CaspioError) -> CaspioResponse {
        let url = try target.url(for: request.path, query: request.query, method: request.method)
        var headers = request.headers
        if !headers.contains(where: { $0.0.caseInsensitiveCompare("Accept") == .orderedSame }) {
            headers.append(("Accept", "application/json"))
        }
        if request.body != nil, !headers.contains(where: { $0.0.caseInsensitiveCompare("Content-Type") == .orderedSame }) {
            headers.append(("Content-Type", request.contentType ?? "application/json"))
        }
        var token = try await tokens.validToken()
        var response = try await sendOnce(request, url: url, headers: headers, token: token)
        if response.status == 401 {
            logger.info("HTTP 401 from \(request.method) \(url): renewing the token and replaying the request once")
            token = try await tokens.tokenRejected(token)
            response = try await sendOnce(request, url: url, headers: headers, token: token)
            if response.status == 401 {
                var error = response.error
                error.kind = .auth
                error.message = "the server refused a freshly renewed token: \(error.message)"
                throw error
            }
        }
        return response
    }

    private func sendOnce(_ request: CaspioRequest, url: String, headers: [(String, String)], token: TokenSet)
        async throws(CaspioError) -> CaspioResponse
    {
        let budget = configuration.maxRequests
        let counters = counters
        let method = request.method
        let raw = try await transport.send(
            method: method, url: url, headers: headers + [("Authorization", "Bearer " + token.accessToken.reveal())],
            body: request.body, timeout: request.timeout, downloadTo: request.downloadTo,
            beforeEachAttempt: { () throws(CaspioError) in
                try counters.reserveRequest(method: method, url: url, budget: budget)
            })
        return CaspioResponse(status: raw.status, headers: raw.headers, body: raw.body, method: method, url: url)
    }
}
