import Foundation

/// v4's error codes with their hints (API-V4-NOTES.md, "Errors"): the catalog behind every v4
/// error body's `Hint` and `GET /v4/errors[/{code}]`. Codes are v3's where v3 has one.
enum V4Errors {
    struct Entry {
        var code: String
        var status: Int
        var note: String
        var remediation: String
    }

    static let catalog: [Entry] = [
        Entry(code: "IncorrectQueryParameter", status: 400, note: "A query parameter is missing, malformed or names what the profile cannot see.",
              remediation: "v4 takes select, where, orderBy, groupBy, limit, pageNumber and pageSize, without the q. prefix; check the clause against the table's fields."),
        Entry(code: "IncorrectBodyParameter", status: 400, note: "The body is not what the operation takes.",
              remediation: "Send a JSON body of the documented shape with Content-Type: application/json."),
        Entry(code: "InvalidInputValue", status: V4Choices.invalidValueStatus, note: "A value does not fit its field's type.",
              remediation: "Send numbers as JSON numbers, YES/NO as true or false, dates as ISO 8601 text (2024-01-05T15:17:10)."),
        Entry(code: "SqlServerError", status: 400, note: "The clause could not run.",
              remediation: "Write one T-SQL expression over the table's fields; quote text as N'…' with quotes doubled."),
        Entry(code: V4Choices.tautologyCode, status: 400, note: "The condition matches every possible row, and the guard against that is on.",
              remediation: "Narrow the where clause; to change every row, read them with GET …/records and the same where first, and check the count."),
        Entry(code: "ObjectNotFound", status: 404, note: "No such object, or not visible to this profile.",
              remediation: "Tables and views are addressed by their six-character ids (tableId, viewId), not names: GET /v4/tables and GET /v4/views list them."),
        Entry(code: "Conflict", status: 409, note: "The change conflicts with the object's state or another object.",
              remediation: "Read the object, resolve what the message names, and retry."),
        Entry(code: V4Choices.structuralDeleteCode, status: 405, note: "Tables, folders and Flex apps are not deleted through the API, by design.",
              remediation: "Delete it in Caspio's web interface."),
        Entry(code: "UnsufficientPrivileges", status: 403, note: "The profile may not do this to the object.",
              remediation: "Give the API profile access (Integrations, API Profiles), or write to the table instead of a view of several tables."),
        Entry(code: "Unauthorized", status: 401, note: "The bearer token is missing, expired or revoked.",
              remediation: "Request a new token from /oauth/token and retry once."),
        Entry(code: "RequestUriTooLong", status: 414, note: "The request URI is longer than 2,047 characters.",
              remediation: "Shorten the clause (fewer IN items per call), or split the request."),
        Entry(code: "TooManyRequests", status: 429, note: "The account's rate limit is reached.",
              remediation: "Wait for Retry-After, then slow down all requests of the account together."),
        Entry(code: "RequestEntityTooLarge", status: 413, note: "The request or a file in it is too large.", remediation: "Send smaller files."),
        Entry(code: "UnsupportedMediaType", status: 415, note: "The body's Content-Type is not the one the operation takes.",
              remediation: "Send Content-Type: application/json (multipart/form-data for files)."),
        Entry(code: "ServiceUnavailable", status: 503, note: "The service failed this request.", remediation: "Retry after Retry-After."),
        Entry(code: "InternalError", status: 500, note: "An error on the server's side.", remediation: "Quote the RequestId to support."),
    ]

    static func entry(_ code: String) -> Entry? { catalog.first { $0.code.caseInsensitiveCompare(code) == .orderedSame } }

    /// What a v4 error body adds to v3's.
    static func extras(_ error: APIError) -> [(String, JSON)] {
        let entry = entry(error.code)
        let hint = JSON.object([
            ("Note", .string(entry?.note ?? error.message)),
            ("Remediation", error.remediation.map(JSON.string) ?? entry.map { .string($0.remediation) } ?? .null),
        ])
        return [("DocumentationUrl", .string(V4Choices.documentationURL(error.code))), ("Hint", hint)]
    }

    /// A store failure as v4 answers it: v3's code, but a wrong value is 400 (V4Choices).
    static func error(_ failure: StoreError) -> APIError {
        if case .invalidValue(let message) = failure { return APIError(V4Choices.invalidValueStatus, "InvalidInputValue", message) }
        return APIError(failure)
    }

    static func json(_ entry: Entry) -> JSON {
        .object([("code", .string(entry.code)), ("status", .int(entry.status)), ("note", .string(entry.note)), ("remediation", .string(entry.remediation))])
    }
}
