import Foundation

/// A request as the sandbox's handlers see it, independent of Hummingbird so that the
/// handlers stay plain functions over values.
public struct SandboxRequest: Sendable {
    public var method: String
    /// The path without the query, e.g. `/integrations/rest/v3/tables/Customers/records`.
    public var path: String
    /// The path and query as received; Caspio echoes it as `Resource` in error bodies.
    public var uri: String
    public var query: [String: String]
    /// Header names lower-cased.
    public var headers: [String: String]
    public var body: [UInt8]
    /// The route's captures (`tableName`, …), percent-decoded.
    public var params: [String: String] = [:]
    /// 3 under `/integrations/rest/v3`, 2 under `/rest/v2` (whose files listing differs).
    public var version = 3

    public init(method: String, uri: String, headers: [String: String] = [:], body: [UInt8] = []) {
        self.method = method.uppercased()
        self.uri = uri
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = String(parts[0])
        query = parts.count > 1 ? Self.form(String(parts[1])) : [:]
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.body = body
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// A capture the route declares; a missing one is a routing bug, answered as 404.
    func param(_ name: String) throws(APIError) -> String {
        guard let value = params[name] else { throw APIError.notFound("Cannot find resource \(path)") }
        return value
    }

    /// `a=1&b=x%20y` (also request bodies of the token endpoint); `+` is a space, as in forms.
    static func form(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                let spaced = s.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            result[decode(kv[0])] = kv.count > 1 ? decode(kv[1]) : ""
        }
        return result
    }
}

public struct SandboxResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ status: Int, _ value: JSON) -> SandboxResponse {
        SandboxResponse(status: status, headers: [("Content-Type", "application/json; charset=utf-8")], body: Array(value.encoded.utf8))
    }

    /// `{"Result": value}`, the envelope of almost every answer.
    static func result(_ value: JSON, status: Int = 200) -> SandboxResponse { json(status, .object([("Result", value)])) }

    static let noContent = SandboxResponse(status: 204)
}
