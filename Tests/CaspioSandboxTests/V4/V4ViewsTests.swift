import Foundation
import Testing

/// Views on v4: by id, their fields with `tableFieldName`, records as tables' (a join read-only).
@Suite struct V4ViewsTests {
    @Test func viewsByIdWithRecords() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let views = try await sandbox.v4("GET", "views", token: token)
            #expect(views.data.map { $0["name"] as? String } == ["CaliforniaOrders", "NewYorkCustomers"] && views.pagination["totalCount"] == 2)
            let join = try #require(views.data.first?["viewId"] as? String), single = try #require(views.data.last?["viewId"] as? String)
            #expect(join.count == 6 && join != single)
            #expect(try await sandbox.v4("GET", "views/\(join)", token: token).data.first?["fieldCount"] as? Int == 5)
            #expect(try await sandbox.v4("GET", "views/CaliforniaOrders", token: token).status == 404)
            let fields = try await sandbox.v4("GET", "views/\(join)/fields", token: token).data
            #expect(fields.map { $0["name"] as? String } == ["PK_ID", "Customers_Name", "Customers_Email", "Orders_Quantity", "Orders_Shipped"])
            #expect(try await sandbox.v4("GET", "views/\(join)/fields/orders_quantity", token: token).data.first?["tableFieldName"] as? String == "Orders.Quantity")
            let page = try await sandbox.v4("GET", "views/\(join)/records?orderBy=PK_ID&pageSize=5", token: token)
            #expect(page.pagination["totalCount"] == 100 && page.data.first?["PK_ID"] as? String == "1,1")
            #expect(try await sandbox.v4("GET", "views/\(join)/records/1,2", token: token).data.first?["Customers_Name"] as? String == "Customer 001")
            let refused = try await sandbox.v4("PATCH", "views/\(join)/records/1,1", json: ["Orders_Quantity": 9], token: token)
            #expect(refused.status == 403 && refused.code == "UnsufficientPrivileges")
            // One table: written through, read back on the table.
            let added = try await sandbox.v4("POST", "views/\(single)/records/bulk", json: [["Customers_Name": "View NY", "Customers_Email": "v@x.y"]], token: token)
            #expect(added.status == 201, "\(added.text)")
            let customers = try await sandbox.tableID("Customers", token: token)
            let row = try await sandbox.v4("GET", "tables/\(customers)/records?where=\(q("Name = N'View NY'"))", token: token).data.first
            #expect(row?["Email"] as? String == "v@x.y")
            #expect(try await sandbox.v4("DELETE", "views/\(single)/records/bulk", json: ["where": "Customers_Name LIKE '%'"], token: token).code == "AlwaysTrueCondition")
        }
    }
}
