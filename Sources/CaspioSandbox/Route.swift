import HTTPTypes

/// One operation of the API: a method, a path under the API prefix in Hummingbird's syntax
/// (`tables/:tableName/records`), and a plain function from request to answer. Each resource
/// declares its routes in its own file; `SandboxServer` registers them under both prefixes.
struct Route: Sendable {
    var method: HTTPRequest.Method
    var path: String
    var handle: @Sendable (Sandbox, SandboxRequest) throws -> SandboxResponse

    init(_ method: HTTPRequest.Method, _ path: String, _ handle: @escaping @Sendable (Sandbox, SandboxRequest) throws -> SandboxResponse) {
        self.method = method
        self.path = path
        self.handle = handle
    }

    /// The captures the path declares, so the server can hand their values to the handler.
    var captures: [String] { path.split(separator: "/").filter { $0.hasPrefix(":") }.map { String($0.dropFirst()) } }

    /// v2 spells two resources differently (API-NOTES.md, "Other resources").
    var v2Path: String {
        let renames = ["bridgeApplications": "applications", "dataImportExportTasks": "tasks"]
        var parts = path.split(separator: "/").map(String.init)
        if let first = parts.first, let renamed = renames[first] { parts[0] = renamed }
        return parts.joined(separator: "/")
    }
}

extension Sandbox {
    /// Every operation of openapi-v3.json, by resource.
    static var routes: [Route] {
        tableRoutes + recordRoutes + passwordRoutes + attachmentRoutes + viewRoutes + fileRoutes + webhookRoutes + taskRoutes + appRoutes
            + directoryRoutes
    }
}
