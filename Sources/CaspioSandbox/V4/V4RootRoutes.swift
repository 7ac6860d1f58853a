import Foundation

/// Outside the catalog (API-V4-NOTES.md, "Base, paths, identifiers"): `GET /v4` (what this
/// server serves), `GET /v4/me` (the profile and the account's limit), `GET /v4/errors[/{code}]`.
extension Sandbox {
    static let v4RootRoutes: [Route] = [
        // The capability root [shape unknown]: the operations the sandbox serves, from the routes.
        Route(.get, "") { _, _ in
            let operations = v4Routes.map { JSON.string("\($0.method.rawValue) /\($0.path)") }
            return .json(200, .object([("apiVersion", .string("v4")), ("operations", .array(operations))]))
        },
        Route(.get, "me") { s, r in
            let limit: JSON = s.settings.rateLimit.map {
                .object([("limit", .int($0.requests)), ("windowSeconds", .int(Int($0.window)))])
            } ?? .null
            let expires: JSON = s.tokenExpiry(r).map { .string(ISO8601DateFormatter().string(from: $0)) } ?? .null
            return .json(200, .object([
                ("wsProfileName", .string(V4Choices.profileName)), ("accountSubdomain", .string(V4Choices.accountSubdomain)),
                ("tokenExpiresAt", expires), ("rateLimit", limit),
            ]))
        },
        Route(.get, "errors") { s, r in try s.v4List(V4Errors.catalog.map(V4Errors.json), r.query) },
        Route(.get, "errors/:code") { _, r in
            let code = try r.param("code")
            guard let entry = V4Errors.entry(code) else { throw APIError.notFound("Cannot find the error code '\(code)'") }
            return V4Choices.single(V4Errors.json(entry))
        },
    ]

    /// Every v4 operation the sandbox serves, by resource (docs/sandbox.md lists what is not yet).
    static var v4Routes: [Route] { v4RootRoutes + v4SchemaRoutes + v4TableRoutes + v4RecordRoutes + v4ViewRoutes + v4WebhookRoutes + v4AccountRoutes + v4FileRoutes + v4AttachmentRoutes + v4DirectoryRoutes + v4UserAttachmentRoutes }
}
