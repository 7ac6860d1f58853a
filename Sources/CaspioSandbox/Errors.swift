/// Failures of the storage layer, in its own terms: it knows nothing of HTTP. The routes
/// turn them into Caspio's answers (`APIError.init(_:)`).
enum StoreError: Error, Equatable {
    /// No such table, view, field, record, file, folder or object.
    case notFound(String)
    /// A value or definition the store refuses (a bad date, a duplicate field name).
    case invalid(String)
    /// A clause or a query setting the store refuses before running it.
    case badQuery(String)
    /// The database refused the statement built from the client's clauses.
    case sql(String)
    /// A name already taken, or a state that forbids the change (an active user).
    case conflict(String)
    /// The object cannot be written this way (a view over several tables).
    case readOnly(String)
    /// A value of the wrong kind for its field's type (text in an INTEGER field).
    case invalidValue(String)

    var message: String {
        switch self {
        case .notFound(let m), .invalid(let m), .badQuery(let m), .sql(let m), .conflict(let m), .readOnly(let m), .invalidValue(let m): m
        }
    }
}

/// An answer in Caspio's error shape; thrown by handlers, rendered by `Sandbox.handle`.
struct APIError: Error {
    var status: Int
    var code: String
    var message: String
    var headers: [(String, String)] = []
    /// v4's `Hint.Remediation` for this answer; nil: the catalog's for the code (`V4Errors`).
    var remediation: String? = nil

    init(_ status: Int, _ code: String, _ message: String, remediation: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.remediation = remediation
    }

    /// Caspio's status and code for each store failure (API-NOTES.md, "Errors").
    init(_ error: StoreError) {
        switch error {
        case .notFound(let m): self.init(404, "ObjectNotFound", m)
        case .invalid(let m): self.init(400, "IncorrectBodyParameter", m)
        case .badQuery(let m): self.init(400, "IncorrectQueryParameter", m)
        case .sql(let m): self.init(400, "SqlServerError", m)
        case .conflict(let m): self.init(409, "Conflict", m)
        // API-NOTES.md: writes through a view of several tables get 403 (object-level permissions).
        case .readOnly(let m): self.init(403, "UnsufficientPrivileges", m)
        // API-NOTES.md: "a value of the wrong type can answer 500 InvalidInputValue"; of the two
        // answers users report (this, or a 400 naming the field) the sandbox gives the harder
        // one, with a message naming the field. Clients must not retry it: it is deterministic.
        case .invalidValue(let m): self.init(500, "InvalidInputValue", m)
        }
    }

    static func badQuery(_ message: String) -> APIError { APIError(400, "IncorrectQueryParameter", message) }
    static func badBody(_ message: String) -> APIError { APIError(400, "IncorrectBodyParameter", message) }
    static func notFound(_ message: String) -> APIError { APIError(404, "ObjectNotFound", message) }

    /// Caspio's error body; v4's adds `DocumentationUrl` and `Hint` (API-V4-NOTES.md, "Errors").
    func response(resource: String, requestID: String, version: Int = 3) -> SandboxResponse {
        var body: [(String, JSON)] = [
            ("Code", .string(code)), ("Message", .string(message)),
            ("Resource", .string(resource)), ("RequestId", .string(requestID)),
        ]
        if version == 4 { body += V4Errors.extras(self) }
        var reply = SandboxResponse.json(status, .object(body))
        reply.headers += headers
        return reply
    }
}

extension APIError {
    static func tooLarge(limit: Int, _ what: String) -> APIError {
        APIError(413, "RequestEntityTooLarge", "\(what) is larger than \(limit) bytes")
    }
}
