/// Every failure of the client, as a value: what kind, and everything a user needs to act on
/// it or quote it to Caspio support. Never carries a secret or a token.
public struct CaspioError: Error, Sendable, CustomStringConvertible {
    /// Every kind, the Lua half's included: errors.lua raises with these names.
    public enum Kind: String, Sendable, CaseIterable {
        case config, auth, http, network, timeout, budget
        /// Bad input data (a CSV line, a cell that does not convert): raised by the Lua half.
        case input

        /// The exit status of a run this error ends, as `caspio --help` lists them.
        public var exitStatus: Int32 {
            switch self {
            case .config: 2
            case .auth: 3
            case .budget: 4
            case .http: 5
            case .network, .input: 1
            case .timeout: 124
            }
        }
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
    /// What Caspio says to do about it (v4's `Hint.Remediation`), shown after the message.
    public var remediation: String?
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
        Self.describe(
            kind: kind.rawValue, message: message, status: status.map(String.init), code: code, requestID: requestID,
            method: method, url: url, remediation: remediation)
    }

    /// The words of an error, of this type or an error table of the Lua half (whose tostring
    /// comes here): one formatter for both.
    public static func describe(
        kind: String, message: String, status: String?, code: String?, requestID: String?, method: String?, url: String?,
        remediation: String? = nil
    ) -> String {
        var head: String
        switch kind {
        case Kind.http.rawValue: head = "HTTP \(status ?? "?")"
        case Kind.auth.rawValue: head = status.map { "authentication failed (HTTP \($0))" } ?? "authentication failed"
        default: head = kind + " error"
        }
        if let code, !code.isEmpty { head += " \(code)" }
        var context: [String] = []
        if let method, let url { context.append("\(method) \(url)") } else if let url { context.append(url) }
        if let requestID, !requestID.isEmpty { context.append("request \(requestID)") }
        let suffix = context.isEmpty ? "" : " (\(context.joined(separator: ", ")))"
        let remedy = remediation.map { $0.isEmpty ? "" : " Remediation: \($0)" } ?? ""
        return "\(head): \(message)\(suffix)\(remedy)"
    }
}
