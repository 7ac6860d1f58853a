import Foundation

/// What a 403 means, said so that a user can act: since Caspio 73.0 object permissions are
/// enforced, and a 403 on a task, a Bridge application or another object means the API
/// profile lacks that object's permission. IP and HTTPS refusals are said as such.
enum ForbiddenObject {
    static let kinds: [String: String] = [
        "tables": "table", "views": "view", "bridgeapplications": "Bridge application",
        "dataimportexporttasks": "import/export task", "tasks": "task", "directories": "directory",
        "files": "file folder", "outgoingwebhooks": "webhook",
    ]

    /// Caspio's `message` with what to do about it.
    static func explain(code: String?, message: String, method: String, url: String) -> String {
        let target = object(in: url)
        switch code {
        case "IpForbidden":
            return "\(message): this machine's IP address is not allowed by the API profile's IP restrictions (Integrations → API Profiles in Caspio)"
        case "UnsecuredConnection":
            return "\(message): Caspio accepts only HTTPS here; use an https:// base URL"
        case _ where method != "GET" && target.hasPrefix("view '"):
            // Caspio also refuses writes to a view that joins tables it cannot write through.
            return "\(message): either \(target) cannot be written to (only a view of one table, or of an editable table set, can), or the API profile lacks the permission to write it (Integrations → API Profiles in Caspio)"
        default:
            return "\(message): the API profile has no access to \(target); give it access in Caspio under Integrations → API Profiles"
        }
    }

    /// `task 'Nightly export'`, `the tables listing`, or the path: what the URL asks for.
    static func object(in url: String) -> String {
        let path = URL(string: url)?.path ?? url
        var segments = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        // Past the API's root: …/rest/v3/… (v2 and v4 alike).
        if let rest = segments.firstIndex(of: "rest"), rest + 1 < segments.count, segments[rest + 1].hasPrefix("v") {
            segments.removeFirst(rest + 2)
        }
        guard let first = segments.first else { return "this resource" }
        guard let kind = kinds[first.lowercased()] else { return "'\(segments.joined(separator: "/"))'" }
        guard segments.count >= 2 else { return "the \(first) listing" }
        return "\(kind) '\(segments[1])'"
    }
}
