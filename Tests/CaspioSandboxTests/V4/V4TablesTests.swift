import Foundation
import Testing

/// Table design on v4: six-character ids stable from start to start, fields by name, paged
/// lists, 405 for a table DELETE.
@Suite struct V4TablesTests {
    func ids(_ sandbox: SandboxHarness) async throws -> [String: String] {
        let tables = try await sandbox.v4("GET", "tables").data
        return Dictionary(uniqueKeysWithValues: tables.map { ($0["name"] as? String ?? "", $0["tableId"] as? String ?? "") })
    }

    @Test func idsAreSixCharactersStableAcrossStartsAndDifferentPerTable() async throws {
        var first: [String: String] = [:], second: [String: String] = [:]
        try await SandboxHarness.with { first = try await ids($0) }
        try await SandboxHarness.with { second = try await ids($0) }
        #expect(first.count == 3 && first == second)
        // Pinned: docs/sandbox.md lists them, and scripts may name them.
        #expect(first == ["Customers": "5z27wy", "Orders": "3233ey", "Products": "ydxtx3"])
        #expect(Set(first.values).count == 3)
        #expect(first.values.allSatisfy { $0.count == 6 && $0.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) } }, "\(first)")
        // A --seed file: its tables get the same ids on every start too.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("v4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let seed = directory.appendingPathComponent("seed.json")
        try Data(#"{"Tables":[{"Name":"Pets","Fields":[{"Name":"Name","Type":"STRING"}]},{"Name":"Vets","Fields":[]}]}"#.utf8).write(to: seed)
        var seeded: [[String: String]] = []
        for _ in 1...2 { try await SandboxHarness.with({ $0.seedPath = seed.path }) { seeded.append(try await ids($0)) } }
        #expect(seeded[0] == seeded[1] && seeded[0].count == 2 && seeded[0]["Pets"] != seeded[0]["Vets"])
    }

    /// A dataType no field is created with names those it can be, each once.
    @Test func anUnknownDataTypeNamesEachCreatableOnce() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let refused = try await sandbox.v4("POST", "tables", json: ["name": "Notes", "fields": [["name": "Title", "dataType": "STRNG"]]], token: token)
            #expect(refused.status == 400, "\(refused.text)")
            let remediation = try #require(refused.remediation)
            #expect(remediation.hasPrefix("Use one of TEXT255, TEXT64K, "), "\(remediation)")
            #expect(remediation.components(separatedBy: "AUTONUMBER").count == 2, "\(remediation)")
        }
    }

    @Test func tablesAndFieldsByIdAndName() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let created = try await sandbox.v4("POST", "tables", json: ["name": "Notes", "fields": [["name": "Title", "dataType": "TEXT255"], ["name": "Rank", "dataType": "INTEGER"]]], token: token)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.data.first?["tableId"] as? String)
            let listed = try await sandbox.tableID("Notes", token: token)
            #expect(created.data.first?["fieldCount"] as? Int == 3 && id == listed)
            #expect(try await sandbox.v4("GET", "tables/\(id)", token: token).data.first?["name"] as? String == "Notes")
            let byName = try await sandbox.v4("GET", "tables/Notes", token: token)
            #expect(byName.status == 404 && byName.remediation?.contains("tableId") == true)
            let added = try await sandbox.v4("POST", "tables/\(id)/fields", json: ["name": "Done", "dataType": "YES/NO"], token: token)
            #expect(added.status == 201 && added.data.first?["displayOrder"] as? Int == 4)
            #expect(try await sandbox.v4("POST", "tables/\(id)/fields", json: ["name": "Id2", "dataType": "PK_ID"], token: token).status == 400)
            let fields = try await sandbox.v4("GET", "tables/\(id)/fields", token: token)
            #expect(fields.data.map { $0["name"] as? String } == ["PK_ID", "Title", "Rank", "Done"] && fields.pagination["totalCount"] == 4)
            let paged = try await sandbox.v4("GET", "tables/\(id)/fields?pageNumber=1&pageSize=5", token: token)
            #expect(paged.pagination == ["totalCount": 4, "pageNumber": 1, "pageSize": 5])
            #expect(try await sandbox.v4("GET", "tables/\(id)/fields?limit=2", token: token).data.count == 2)
            #expect(try await sandbox.v4("GET", "tables/\(id)/fields?pageSize=4", token: token).status == 400)
            #expect(try await sandbox.v4("GET", "tables/\(id)/fields?limit=1001", token: token).status == 400)
            let patched = try await sandbox.v4("PATCH", "tables/\(id)/fields/Title", json: ["name": "Heading", "label": "Heading"], token: token)
            #expect(patched.status == 200 && patched.data.first?["name"] as? String == "Heading", "\(patched.text)")
            #expect(try await sandbox.v4("GET", "tables/\(id)/fields/heading", token: token).data.first?["dataType"] as? String == "TEXT255")
            #expect(try await sandbox.v4("PATCH", "tables/\(id)/fields/Rank", json: ["dataType": "TEXT255"], token: token).status == 400)
            #expect(try await sandbox.v4("DELETE", "tables/\(id)/fields/Rank", token: token).status == 204)
            #expect(try await sandbox.v4("GET", "tables/\(id)/fields/Rank", token: token).status == 404)
            let drop = try await sandbox.v4("DELETE", "tables/\(id)", token: token)
            #expect(drop.status == 405 && drop.code == "MethodNotAllowed" && drop.remediation != nil)
            // A field a view uses: 409 naming the view, as on v3.
            let customers = try await sandbox.tableID("Customers", token: token)
            let used = try await sandbox.v4("DELETE", "tables/\(customers)/fields/Email", token: token)
            #expect(used.status == 409 && (used.object["Message"] as? String)?.contains("CaliforniaOrders") == true)
        }
    }
}
