import Foundation
import Testing

/// `GET /v4`, `/v4/me`, `/v4/errors[/{code}]`, and v4's error body with its Hint.
@Suite struct V4RootTests {
    @Test func rootListsTheOperationsServed() async throws {
        try await SandboxHarness.with { sandbox in
            let root = try await sandbox.v4("GET", "")
            #expect(root.status == 200 && root.object["apiVersion"] as? String == "v4")
            let operations = root.object["operations"] as? [String] ?? []
            #expect(operations.contains("GET /tables") && operations.contains("POST /tables/:tableId/records/bulk"), "\(operations)")
        }
    }

    /// `GET /v4/aiManifest`: how to use the API, with the numbers the routes enforce.
    @Test func aiManifestDescribesTheAPIAsServed() async throws {
        try await SandboxHarness.with { sandbox in
            let manifest = try await sandbox.v4("GET", "aiManifest")
            #expect(manifest.status == 200 && manifest.object["apiVersion"] as? String == "v4", "\(manifest.text)")
            #expect((manifest.object["authentication"] as? [String: String])?["tokenUrl"] == "/oauth/token")
            let conventions = manifest.object["conventions"] as? [String: Any] ?? [:]
            #expect(conventions["pageSize"] as? [Int] == [5, 1000, 25] && conventions["limit"] as? [Int] == [1, 1000, 100])
            #expect(conventions["bulkMaxRecords"] as? Int == 1000 && conventions["maxUriLength"] as? Int == 2047)
            #expect(manifest.object["operations"] as? [String] == (try await sandbox.v4("GET", "").object["operations"] as? [String]))
            // The numbers are the ones enforced.
            #expect(try await sandbox.v4("GET", "tables?pageSize=4").status == 400)
            #expect(try await sandbox.v4("GET", "tables?pageSize=5").status == 200)
        }
    }

    @Test func meNamesTheProfileAndTheAccountsLimit() async throws {
        try await SandboxHarness.with({ $0.rateLimit = .init(requests: 2000, window: 300) }) { sandbox in
            let me = try await sandbox.v4("GET", "me").object
            #expect(me["wsProfileName"] as? String == "sandbox" && me["accountSubdomain"] as? String == "sandbox")
            #expect(me["rateLimit"] as? [String: Int] == ["limit": 2000, "windowSeconds": 300])
            let expires = (me["tokenExpiresAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
            #expect(expires.map { $0 > Date() } == true, "\(me)")
        }
        try await SandboxHarness.with { sandbox in
            let me = try await sandbox.v4("GET", "me").object
            #expect(me["rateLimit"] is NSNull)
        }
    }

    @Test func errorCatalogAndErrorBodies() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let all = try await sandbox.v4("GET", "errors?limit=1000", token: token)
            let codes = all.data.compactMap { $0["code"] as? String }
            #expect(codes.contains("IncorrectQueryParameter") && codes.contains("AlwaysTrueCondition") && all.pagination["totalCount"] == codes.count)
            let one = try await sandbox.v4("GET", "errors/InvalidInputValue", token: token)
            #expect(one.status == 200 && one.data.first?["status"] as? Int == 400)
            let missing = try await sandbox.v4("GET", "errors/NoSuchCode", token: token)
            #expect(missing.status == 404 && missing.code == "ObjectNotFound" && missing.remediation != nil)
            #expect(missing.object["DocumentationUrl"] as? String == "/integrations/rest/v4/errors/ObjectNotFound")
            #expect(missing.object["RequestId"] as? String == missing.headers["x-caspio-request-id"])
            // No token: 401 in v4's shape; an unknown path: 404 in v4's shape.
            let denied = try await sandbox.v4("GET", "tables", token: "nope")
            #expect(denied.status == 401 && denied.remediation?.contains("/oauth/token") == true)
            let nowhere = try await sandbox.v4("GET", "nowhere", token: token)
            #expect(nowhere.status == 404 && nowhere.object["Hint"] != nil)
            // v3's bodies stay as they were: no Hint.
            #expect(try await sandbox.api("GET", "tables/Nope/fields", token: token).object["Hint"] == nil)
        }
    }
}
