import Foundation
import Testing

/// Bulk writes on v4: inserts of up to 1,000 rows (201, or 207 per row in input order), and
/// updates and deletes by a condition behind the tautology guard.
@Suite struct V4BulkTests {
    @Test func bulkInsertAnswers201Or207PerRowInInputOrder() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let bulk = "tables/\(try await sandbox.tableID("Orders", token: token))/records/bulk"
            let all = try await sandbox.v4("POST", bulk, json: [["Customer_ID": 1, "Quantity": 1], ["Customer_ID": 2, "Quantity": 2]], token: token)
            #expect(all.status == 201 && all.object["PK_ID"] as? [String] == ["501", "502"] && all.object["data"] == nil, "\(all.text)")
            let mixed = try await sandbox.v4("POST", bulk, json: [["Quantity": 1], ["Quantity": "abc"], ["Quantity": 2], ["Nope": 1], ["Shipped": "maybe"]], token: token)
            #expect(mixed.status == 207 && mixed.object["PK_ID"] as? [String] == ["503", "504"], "\(mixed.text)")
            #expect(mixed.data.map { $0["status"] as? Int } == [201, 400, 201, 400, 400])
            #expect(mixed.data.map { $0["PK_ID"] as? String } == ["503", nil, "504", nil, nil])
            #expect((mixed.data[1]["error"] as? String)?.contains("'Quantity'") == true && (mixed.data[4]["error"] as? String)?.contains("'Shipped'") == true)
            let orders = try await sandbox.api("GET", "tables/Orders/records?q.pageSize=5&q.getPaginationInfo=true", token: token).object["Pagination"] as? [String: Int]
            #expect(orders?["TotalCount"] == 504)
            let tooMany = try await sandbox.v4("POST", bulk, json: Array(repeating: ["Quantity": 1], count: 1001), token: token)
            #expect(tooMany.status == 400 && tooMany.code == "IncorrectBodyParameter" && tooMany.remediation?.contains("1000") == true)
            #expect(try await sandbox.v4("POST", bulk, json: [] as [Any], token: token).status == 400)
            #expect(try await sandbox.v4("POST", bulk, json: ["Quantity": 1], token: token).status == 400)
            let full = try await sandbox.v4("POST", bulk, json: Array(repeating: ["Quantity": 1], count: 1000), token: token)
            #expect(full.status == 201 && (full.object["PK_ID"] as? [String])?.count == 1000)
        }
    }

    @Test func bulkUpdateAndDeleteByConditionBehindTheGuard() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let records = "tables/\(try await sandbox.tableID("Customers", token: token))/records"
            let update = try await sandbox.v4("PATCH", records + "/bulk", json: ["where": "State = N'CA'", "recordValues": ["Email": NSNull()]], token: token)
            #expect(update.status == 200 && update.object["recordsAffected"] as? Int == 50, "\(update.text)")
            #expect(try await sandbox.v4("GET", records + "?where=\(q("Email IS NULL"))", token: token).pagination["totalCount"] == 50)
            for always in ["1=1", "PK_ID > 0", "PK_ID >= 1", "Name LIKE '%'", "State = 'CA' OR 1=1", "N'a' = N'a'"] {
                let patch = try await sandbox.v4("PATCH", records + "/bulk", json: ["where": always, "recordValues": ["State": "XX"]], token: token)
                #expect(patch.status == 400 && patch.code == "AlwaysTrueCondition" && patch.remediation != nil, "\(always): \(patch.text)")
                let delete = try await sandbox.v4("DELETE", records + "/bulk", json: ["where": always], token: token)
                #expect(delete.status == 400 && delete.code == "AlwaysTrueCondition", "\(always)")
            }
            #expect(try await sandbox.v4("GET", records + "?where=\(q("State = 'XX'"))", token: token).pagination["totalCount"] == 0)
            let delete = try await sandbox.v4("DELETE", records + "/bulk?echo=true", json: ["where": "PK_ID > 245"], token: token)
            #expect(delete.object["recordsAffected"] as? Int == 5 && delete.data.count == 5, "\(delete.text)")
            #expect(try await sandbox.v4("DELETE", records + "/bulk", json: ["where": "PK_ID > 245"], token: token).object["recordsAffected"] as? Int == 0)
            #expect(try await sandbox.v4("PATCH", records + "/bulk", json: ["where": "PK_ID = 1"], token: token).status == 400)
            #expect(try await sandbox.v4("DELETE", records + "/bulk", json: ["Where": "PK_ID = 1"], token: token).status == 400)
            #expect(try await sandbox.v4("PATCH", records + "/bulk", json: ["where": "PK_ID = 1", "recordValues": ["Name": 5.5, "State": true]], token: token).code == "InvalidInputValue")
        }
        // With the guard off, an always-true condition goes through.
        try await SandboxHarness.with({ $0.tautologyGuard = false }) { sandbox in
            let token = try await sandbox.accessToken()
            let records = "tables/\(try await sandbox.tableID("Products", token: token))/records"
            #expect(try await sandbox.v4("DELETE", records + "/bulk", json: ["where": "1=1"], token: token).object["recordsAffected"] as? Int == 8)
        }
    }
}
