/// Every failure of the client, as a value: what kind, and everything a user needs to act on
/// it or quote it to Caspio support. Never carries a secret or a token.
public struct CaspioError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case config, auth, http, network, timeout, budget
    }

    public var kind: Kind
    public var message: String
    /// HTTP status, when a server answered.
    public var status: Int?
    /// Caspio's `Code` (e.g. `ObjectNotFound`) or OAuth's `error` (e.g. `invalid_grant`).
    public var code: String?
    /// `RequestId` from the body or the `X-Caspio-Request-ID` header.
    public var requestID: String?
    public var method: String?
    /// The URL with its query, decoded for reading (`q.where=State = 'CA'`); it never contains
    /// credentials.
    public var url: String?
    /// A problem of the setup (settings missing or wrong), not of the script: reported without
    /// a traceback, since the script's lines are not where it can be fixed.
    public var isSetup = false

    public init(
        _ kind: Kind, _ message: String, status: Int? = nil, code: String? = nil, requestID: String? = nil,
        method: String? = nil, url: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.status = status
        self.code = code
        self.requestID = requestID
        self.method = method
        self.url = url
    }

    /// E.g. `HTTP 404 ObjectNotFound: Cannot find table 'X' (GET https://…/records, request 4f1c…)`.
    public var description: String {
        var head: String
        switch kind {
        case .http: head = "HTTP \(status.map(String.init) ?? "?")"
        case .auth: head = status.map { "authentication failed (HTTP \($0))" } ?? "authentication failed"
        default: head = kind.rawValue + " error"
        }
        if let code, !code.isEmpty { head += " \(code)" }
        var context: [String] = []
        if let method, let url { context.append("\(method) \(url)") } else if let url { context.append(url) }
        if let requestID, !requestID.isEmpty { context.append("request \(requestID)") }
        let suffix = context.isEmpty ? "" : " (\(context.joined(separator: ", ")))"
        return "\(head): \(message)\(suffix)"
    }
}
