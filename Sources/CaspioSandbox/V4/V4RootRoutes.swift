import Foundation

/// Outside the catalog (API-V4-NOTES.md, "Base, paths, identifiers"): `GET /v4` (what this
/// server serves), `GET /v4/me` (the profile and the account's limit), `GET /v4/errors[/{code}]`,
/// `GET /v4/aiManifest` (how to use the API, for an agent).
extension Sandbox {
    static let v4RootRoutes: [Route] = [
        // The capability root [shape unknown]: the operations the sandbox serves, from the routes.
        Route(.get, "") { _, _ in
            .json(200, .object([("apiVersion", .string("v4")), ("operations", v4Operations)]))
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
        Route(.get, "aiManifest") { s, _ in .json(200, s.v4Manifest()) },
        Route(.get, "errors") { s, r in try s.v4List(V4Errors.catalog.map(V4Errors.json), r.query) },
        Route(.get, "errors/:code") { _, r in
            let code = try r.param("code")
            guard let entry = V4Errors.entry(code) else { throw APIError.notFound("Cannot find the error code '\(code)'") }
            return V4Choices.single(V4Errors.json(entry))
        },
    ]

    /// The manifest (V4Choices.manifestName): every number in it is the one the routes enforce.
    func v4Manifest() -> JSON {
        let ints = { (values: [Int]) in JSON.array(values.map(JSON.int)) }
        return .object([
            ("name", .string(V4Choices.manifestName)), ("apiVersion", .string("v4")), ("baseUrl", .string(SandboxServer.v4Prefix)),
            ("authentication", .object([
                ("type", .string("oauth2")), ("grantType", .string("client_credentials")), ("tokenUrl", .string("/oauth/token")),
                ("header", .string("Authorization: Bearer <access_token>")),
            ])),
            ("conventions", .object([
                ("tablesAndViewsBy", .string("six-character ids from GET /tables and GET /views, never names")),
                ("listEnvelope", .string(#"{"data":[…],"pagination":{"totalCount","pageNumber","pageSize"}}"#)),
                ("queryParameters", .array(["select", "where", "orderBy", "groupBy", "limit", "pageNumber", "pageSize"].map(JSON.string))),
                ("pageSize", ints([V4Paging.pageSizes.lowerBound, V4Paging.pageSizes.upperBound, V4Paging.defaultPageSize])),
                ("limit", ints([V4Paging.limits.lowerBound, V4Paging.limits.upperBound, V4Paging.defaultLimit])),
                ("bulkMaxRecords", .int(V4Choices.maxBulkRows)), ("maxUriLength", .int(settings.maxURILength)),
                ("stringLiterals", .string("N'…' with quotes doubled")), ("unorderedReads", .string("order by PK_ID when paging")),
                ("alwaysTrueConditions", .string(settings.tautologyGuard ? "refused by bulk updates and deletes (\(V4Choices.tautologyCode))" : "allowed")),
            ])),
            ("errors", .string(SandboxServer.v4Prefix + "/errors")),
            ("operations", Self.v4Operations),
        ])
    }

    /// `["GET /tables", …]`, from the routes.
    static var v4Operations: JSON { .array(v4Routes.map { JSON.string("\($0.method.rawValue) /\($0.path)") }) }

    /// Every v4 operation the sandbox serves, by resource (docs/sandbox.md lists what is not yet).
    static var v4Routes: [Route] { v4RootRoutes + v4SchemaRoutes + v4TableRoutes + v4RecordRoutes + v4ViewRoutes + v4WebhookRoutes + v4AccountRoutes + v4FileRoutes + v4AttachmentRoutes + v4DirectoryRoutes + v4UserAttachmentRoutes }
}
