import Foundation

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
    /// The acting user of this request alone, sent as `Principal`: it replaces the configured
    /// principal and any Principal header among `headers`.
    public var principal: String?

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

/// One HTTP exchange as the transport sends it: an absolute URL, every header (the bearer
/// token included), and where a successful answer's body goes.
public struct HTTPRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    /// Seconds for the whole exchange (all of its bytes); nil for the default.
    public var timeout: Double?
    /// Stream a successful answer's body to this file instead of memory.
    public var downloadTo: String?

    public init(
        _ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
        timeout: Double? = nil, downloadTo: String? = nil
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.downloadTo = downloadTo
    }

    func hasHeader(_ name: String) -> Bool {
        headers.contains { $0.0.caseInsensitiveCompare(name) == .orderedSame }
    }
}

/// The server's answer, whatever its status: what the transport returns, the client passes on
/// and the module hands to Lua.
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
        if (300..<400).contains(status) {
            // Redirects are not followed (the token goes nowhere else): say where it pointed.
            message = "a redirect to \(header("Location").map { "'\($0)'" } ?? "nowhere (no Location header)"), which the client does not follow: check the base URL and the path"
        } else if status == 204 {
            message = "no content, where an answer was expected"
        } else if message.isEmpty {
            message = body.isEmpty ? "(empty body)" : excerpt(body, redacting: [])
        }
        let code = (object?["Code"] as? String) ?? (object?["code"] as? String)
        if status == 403 { message = ForbiddenObject.explain(code: code, message: message, method: method, url: url) }
        var error = CaspioError(
            status == 401 ? .auth : .http, SecretRedactor.shared.redact(message), status: status, code: code, requestID: requestID,
            method: method,
            url: RequestTarget.readable(url))
        // v4's `Hint: {Note, Remediation}`, in either casing.
        let hint = (object?["Hint"] ?? object?["hint"]) as? [String: Any]
        if let remedy = (hint?["Remediation"] ?? hint?["remediation"]) as? String, !remedy.isEmpty {
            error.remediation = SecretRedactor.shared.redact(remedy)
        }
        return error
    }
}
