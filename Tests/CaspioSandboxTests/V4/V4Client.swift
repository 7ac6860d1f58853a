import Foundation

/// v4 calls (`/integrations/rest/v4`) on the harness, and reading v4's envelope.
extension SandboxHarness {
    func v4(_ method: String, _ path: String, json: Any? = nil, token: String? = nil, contentType: String? = nil) async throws -> Reply {
        let bearer: String
        if let token { bearer = token } else { bearer = try await accessToken() }
        var headers = [("Authorization", "Bearer " + bearer), ("Accept", "application/json")]
        var body: [UInt8]?
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
            headers.append(("Content-Type", contentType ?? "application/json"))
        }
        return try await send(method, "/integrations/rest/v4" + (path.isEmpty ? "" : "/" + path), headers: headers, body: body)
    }

    /// The id `GET /v4/tables` gives the table `name`.
    func tableID(_ name: String, token: String) async throws -> String {
        let tables = try await v4("GET", "tables?pageSize=1000", token: token).data
        return tables.first { ($0["name"] as? String)?.lowercased() == name.lowercased() }?["tableId"] as? String ?? "?"
    }
}

extension SandboxHarness.Reply {
    var data: [[String: Any]] { object["data"] as? [[String: Any]] ?? [] }
    var pagination: [String: Int] { object["pagination"] as? [String: Int] ?? [:] }
    var code: String? { object["Code"] as? String }
    var remediation: String? { (object["Hint"] as? [String: Any])?["Remediation"] as? String }
}
