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

    /// The guard refuses a condition no row could fail (a NULL makes a comparison unknown,
    /// never false), and lets through every condition some row could fail, however many rows
    /// it matches today.
    @Test func theGuardRefusesOnlyRealTautologies() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let made = try await sandbox.v4("POST", "tables", json: ["name": "Events", "fields": [["name": "Day", "dataType": "DATE/TIME"], ["name": "Amount", "dataType": "NUMBER"]]], token: token)
            let events = "tables/\(try #require(made.data.first?["tableId"] as? String))/records"
            #expect(try await sandbox.v4("POST", events + "/bulk", json: [["Day": "2024-01-05", "Amount": 1.5], ["Day": "2025-06-01", "Amount": 0]], token: token).status == 201)
            let customers = "tables/\(try await sandbox.tableID("Customers", token: token))/records"
            let orders = "tables/\(try await sandbox.tableID("Orders", token: token))/records"
            let refused: [(String, String)] = [
                (customers, "1=1"), (customers, " 1 = 1 "), (customers, "NOT (1=0)"), (customers, "PK_ID > 0"), (customers, "PK_ID >= 1"), (customers, "PK_ID <> 0"),
                (customers, "PK_ID IS NOT NULL"), (customers, "Name = Name"), (customers, "State = State"), (customers, "Name LIKE '%'"),
                (customers, "State = N'CA' OR 1=1"), (customers, "1=1 AND PK_ID > 0"), (customers, "N'a' = N'a'"), (customers, "State <> 'CA' OR State = 'CA'"),
                (orders, "Quantity = Quantity"), (orders, "Quantity > -2147483649"), (events, "Day = Day"), (events, "Amount * 0 = 0"),
            ]
            for (records, always) in refused {
                let patch = try await sandbox.v4("PATCH", records + "/bulk", json: ["where": always, "recordValues": ["PK_ID": 1]], token: token)
                #expect(patch.status == 400 && patch.code == "AlwaysTrueCondition", "\(always): \(patch.text)")
                let delete = try await sandbox.v4("DELETE", records + "/bulk", json: ["where": always], token: token)
                #expect(delete.status == 400 && delete.code == "AlwaysTrueCondition", "\(always): \(delete.text)")
            }
            // The empty condition is refused too (no where, no bulk change).
            #expect(try await sandbox.v4("DELETE", customers + "/bulk", json: ["where": " "], token: token).status == 400)
            let passed: [(String, String, [String: Any])] = [
                (customers, "State <> 'CA'", ["Email": "a@x.y"]), (customers, "State <> N'CA'", ["Email": "b@x.y"]), (customers, "Email IS NOT NULL", ["Email": "c@x.y"]),
                (customers, "PK_ID > 5", ["Email": "d@x.y"]), (customers, "PK_ID <> 3", ["Email": "e@x.y"]), (customers, "Name NOT LIKE 'Customer 00%'", ["Email": "f@x.y"]),
                (customers, "NOT State = 'TX'", ["Email": "g@x.y"]), (customers, "State IN ('CA', 'NY') OR PK_ID < 10", ["Email": "h@x.y"]),
                (orders, "Quantity >= 0", ["Shipped": true]), (orders, "Quantity <> 3", ["Shipped": true]), (orders, "Shipped = 1", ["Shipped": false]),
                (events, "Day <> '2024-01-05'", ["Amount": 2]), (events, "Day >= '2024-01-01'", ["Amount": 3]), (events, "Amount <> 0.5", ["Amount": 4]),
            ]
            for (records, condition, values) in passed {
                let expected = try await sandbox.v4("GET", records + "?limit=1&where=\(q(condition))", token: token).pagination["totalCount"]
                let patch = try await sandbox.v4("PATCH", records + "/bulk", json: ["where": condition, "recordValues": values], token: token)
                #expect(patch.status == 200 && patch.object["recordsAffected"] as? Int == expected, "\(condition): \(patch.text)")
            }
            // Even a condition that matches every row today: it is not always true.
            let all = try await sandbox.v4("DELETE", customers + "/bulk", json: ["where": "Email IS NOT NULL"], token: token)
            #expect(all.object["recordsAffected"] as? Int == 250, "\(all.text)")
        }
    }

    /// A clause naming many fields, each with many values to try, is counted without overflow
    /// (the made-up rows are capped, the server goes on).
    @Test func theGuardCopesWithAClauseNamingManyFields() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let names = (1...16).map { "F\($0)" }
            let made = try await sandbox.v4("POST", "tables", json: ["name": "Wide", "fields": names.map { ["name": $0, "dataType": "TEXT255"] }], token: token)
            let wide = "tables/\(try #require(made.data.first?["tableId"] as? String, "\(made.text)"))/records"
            let clause = names.enumerated().map { "\($1) = 'v\($0)'" }.joined(separator: " OR ")
            let delete = try await sandbox.v4("DELETE", wide + "/bulk", json: ["where": clause], token: token)
            #expect(delete.status == 200 && delete.object["recordsAffected"] as? Int == 0, "\(delete.text)")
        }
    }
}
