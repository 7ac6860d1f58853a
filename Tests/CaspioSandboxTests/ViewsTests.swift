import Foundation
import Testing

/// Views defined in the seed (docs/sandbox.md): a join read-only, a one-table view writable.
@Suite struct ViewsTests {
    @Test func aJoinViewReadsWithTheFullQuerySetAndRefusesWrites() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            #expect(try await sandbox.api("GET", "views", token: token).object["Result"] as? [String] == ["CaliforniaOrders", "NewYorkCustomers"])
            let fields = try await sandbox.api("GET", "views/CaliforniaOrders/fields", token: token).result
            #expect(fields.map { $0["Name"] as? String } == ["PK_ID", "Customers_Name", "Customers_Email", "Orders_Quantity", "Orders_Shipped"])
            #expect(fields[1]["TableFieldName"] as? String == "Customers.Name")
            // 50 CA customers with two orders each; PK_ID joins the source ids into a string.
            let page = try await sandbox.api("GET", "views/CaliforniaOrders/records?q.orderBy=PK_ID&q.pageSize=5&q.getPaginationInfo=true", token: token)
            #expect((page.object["Pagination"] as? [String: Int])?["TotalCount"] == 100)
            #expect(page.result.first?["PK_ID"] as? String == "1,1" && page.result.first?["Customers_Name"] as? String == "Customer 001")
            let filtered = try await sandbox.api("GET", "views/CaliforniaOrders/records?q.where=\(q("Orders_Quantity = 7"))&q.select=PK_ID&q.limit=1000", token: token)
            #expect(filtered.status == 200 && !filtered.result.isEmpty && filtered.result.allSatisfy { $0.keys.sorted() == ["PK_ID"] })
            let write = try await sandbox.api("PUT", "views/CaliforniaOrders/records?q.where=\(q("PK_ID = '1,1'"))", json: ["Orders_Quantity": 9], token: token)
            #expect(write.status == 403 && write.object["Code"] as? String == "UnsufficientPrivileges")
            #expect(try await sandbox.api("POST", "views/CaliforniaOrders/records", json: ["Orders_Quantity": 9], token: token).status == 403)
            #expect(try await sandbox.api("GET", "views/Nope/records", token: token).status == 404)
        }
    }

    @Test func aOneTableViewWritesItsTable() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            // The new row has no State, so the view's filter leaves it out of the answer.
            let added = try await sandbox.api("POST", "views/NewYorkCustomers/records?response=rows", json: ["Customers_Name": "View Made", "Customers_Email": "v@x"], token: token)
            #expect(added.status == 201 && added.result.isEmpty)
            let row = try await sandbox.api("GET", "tables/Customers/records?q.where=PK_ID=251", token: token).result.first
            #expect(row?["Name"] as? String == "View Made")
            // The view's filter bounds its writes: only NY rows change.
            let changed = try await sandbox.api("PUT", "views/NewYorkCustomers/records?q.where=\(q("Customers_Name LIKE 'Customer 00%'"))", json: ["Customers_Email": "ny@x"], token: token)
            #expect(changed.object["RecordsAffected"] as? Int == 2)  // Customer 002 and 007
            let deleted = try await sandbox.api("DELETE", "views/NewYorkCustomers/records?q.where=\(q("Customers_Email = 'ny@x'"))", token: token)
            #expect(deleted.object["RecordsAffected"] as? Int == 2)
            #expect(try await sandbox.api("GET", "tables/Customers/records?q.where=PK_ID=2", token: token).result.isEmpty)
        }
    }

    /// A field a view shows or filters on cannot be deleted: 409 naming the views, the field kept.
    @Test func deletingAFieldAViewUsesNamesTheView() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let shown = try await sandbox.api("DELETE", "tables/Customers/fields/Name", token: token)
            #expect(shown.status == 409 && shown.object["Code"] as? String == "Conflict", "\(shown.text)")
            let message = shown.object["Message"] as? String ?? ""
            #expect(message.contains("'CaliforniaOrders'") && message.contains("'NewYorkCustomers'") && !message.contains("SQLite"), "\(message)")
            let filtered = try await sandbox.api("DELETE", "tables/Customers/fields/State", token: token)
            #expect(filtered.status == 409 && (filtered.object["Message"] as? String)?.contains("'NewYorkCustomers'") == true, "\(filtered.text)")
            let fields = try await sandbox.api("GET", "tables/Customers/fields", token: token).result
            #expect(fields.map { $0["Name"] as? String } == ["PK_ID", "Name", "State", "Email"])
            // A field no view uses still goes.
            #expect(try await sandbox.api("DELETE", "tables/Orders/fields/Product_ID", token: token).status == 204)
        }
    }

    /// A renamed field is renamed in the views over its table: their field (`Table_Field`),
    /// its `TableFieldName`, their joins and filters, on v3 and v4 alike.
    @Test func viewsFollowAFieldRename() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            #expect(try await sandbox.api("PUT", "tables/Customers/fields/Name", json: ["Name": "FullName"], token: token).status == 204)
            var fields = try await sandbox.api("GET", "views/NewYorkCustomers/fields", token: token).result
            #expect(fields.map { $0["Name"] as? String } == ["PK_ID", "Customers_FullName", "Customers_Email"], "\(fields)")
            #expect(fields[1]["TableFieldName"] as? String == "Customers.FullName")
            let ny = try await sandbox.api("GET", "views/NewYorkCustomers/records?q.where=\(q("PK_ID = '2'"))", token: token).result.first
            #expect(ny?["Customers_FullName"] as? String == "Customer 002" && ny?["Customers_Name"] == nil, "\(String(describing: ny))")
            #expect(try await sandbox.api("PUT", "views/NewYorkCustomers/records?q.where=\(q("Customers_FullName = 'Customer 002'"))", json: ["Customers_FullName": "Two"], token: token).object["RecordsAffected"] as? Int == 1)
            // A field the filter and the join name: the views keep working.
            #expect(try await sandbox.api("PUT", "tables/Customers/fields/State", json: ["Name": "Region"], token: token).status == 204)
            #expect(try await sandbox.api("PUT", "tables/Orders/fields/Customer_ID", json: ["Name": "Buyer_ID"], token: token).status == 204)
            let page = try await sandbox.api("GET", "views/CaliforniaOrders/records?q.orderBy=PK_ID&q.pageSize=5&q.getPaginationInfo=true", token: token)
            #expect(page.status == 200 && (page.object["Pagination"] as? [String: Int])?["TotalCount"] == 100, "\(page.text)")
            #expect(try await sandbox.api("GET", "views/NewYorkCustomers/records?q.limit=1000", token: token).result.count == 50)
            // The renamed field is still used: its deletion is refused naming the view.
            let delete = try await sandbox.api("DELETE", "tables/Customers/fields/Region", token: token)
            #expect(delete.status == 409 && (delete.object["Message"] as? String)?.contains("NewYorkCustomers") == true, "\(delete.text)")

            // v4: a rename through PATCH, seen through the view's fields and the schemas.
            let customers = try await sandbox.tableID("Customers", token: token)
            #expect(try await sandbox.v4("PATCH", "tables/\(customers)/fields/Email", json: ["name": "Mail"], token: token).status == 200)
            let views = try await sandbox.v4("GET", "views", token: token).data
            let join = views.first { $0["name"] as? String == "CaliforniaOrders" }?["viewId"] as? String ?? "?"
            let v4Fields = try await sandbox.v4("GET", "views/\(join)/fields", token: token).data
            #expect(v4Fields.map { $0["name"] as? String } == ["PK_ID", "Customers_FullName", "Customers_Mail", "Orders_Quantity", "Orders_Shipped"], "\(v4Fields)")
            #expect(v4Fields[2]["tableFieldName"] as? String == "Customers.Mail")
            let schema = try await sandbox.v4("GET", "schemas/views", token: token).data.first { $0["name"] as? String == "CaliforniaOrders" }
            #expect(((schema?["fields"] as? [[String: Any]]) ?? []).contains { $0["tableFieldName"] as? String == "Customers.Mail" })
            let row = try await sandbox.v4("GET", "views/\(join)/records/1,1", token: token).data.first
            #expect(row?["Customers_Mail"] as? String == "Customer001@Example.COM", "\(String(describing: row))")
            fields = try await sandbox.api("GET", "views/CaliforniaOrders/fields", token: token).result
            #expect(fields[2]["TableFieldName"] as? String == "Customers.Mail")
        }
    }

    /// A view's PK_ID is text, but sorts (and compares) number by number as its tables' do.
    @Test func aViewsKeySortsByItsNumbers() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            func keys(_ path: String) async throws -> [String?] {
                try await sandbox.api("GET", path, token: token).result.map { $0["PK_ID"] as? String }
            }
            // New York customers are 2, 7, 12…; California orders 1,1 1,2 6,11 6,12…
            #expect(try await keys("views/NewYorkCustomers/records?q.orderBy=PK_ID&q.limit=4&q.select=PK_ID") == ["2", "7", "12", "17"])
            #expect(try await keys("views/NewYorkCustomers/records?q.orderBy=\(q("PK_ID DESC"))&q.limit=2&q.select=PK_ID") == ["247", "242"])
            #expect(try await keys("views/NewYorkCustomers/records?q.where=\(q("PK_ID < '12'"))&q.orderBy=PK_ID&q.select=PK_ID") == ["2", "7"])
            #expect(try await keys("views/CaliforniaOrders/records?q.orderBy=PK_ID&q.limit=4&q.select=PK_ID") == ["1,1", "1,2", "6,11", "6,12"])
            let v4 = try await sandbox.v4("GET", "views", token: token).data.last?["viewId"] as? String ?? "?"
            let page = try await sandbox.v4("GET", "views/\(v4)/records?orderBy=PK_ID&pageSize=5&select=PK_ID", token: token).data
            #expect(page.map { $0["PK_ID"] as? String } == ["2", "7", "12", "17", "22"])
        }
    }

    /// A view's field reports the options of the table field it shows (TIMESTAMP stamps).
    @Test func viewFieldsReportTheirFieldsStampOptions() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("views-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let seed = directory.appendingPathComponent("seed.json")
        try Data(#"{"Demo": {"StaffTable": true}, "Views": [{"Name": "StaffStamps", "Tables": ["Staff"], "Fields": ["Staff.Name", "Staff.Updated"]}]}"#.utf8).write(to: seed)
        try await SandboxHarness.with({ $0.seedPath = seed.path }) { sandbox in
            let token = try await sandbox.accessToken()
            let v3 = try await sandbox.api("GET", "views/StaffStamps/fields/Staff_Updated", token: token).object["Result"] as? [String: Any]
            #expect(v3?["OnInsert"] as? Bool == true && v3?["OnUpdate"] as? Bool == true && v3?["TimeZone"] is NSNull, "\(v3 ?? [:])")
            let name = try await sandbox.api("GET", "views/StaffStamps/fields/Staff_Name", token: token).object["Result"] as? [String: Any]
            #expect(name?["OnInsert"] is NSNull, "only TIMESTAMP fields have the options")
            // Changed on the table, the view follows.
            let changed = try await sandbox.api("PUT", "tables/Staff/fields/Updated", json: ["OnInsert": false, "TimeZone": "Europe/Berlin"], token: token)
            #expect(changed.status == 204, "\(changed.text)")
            let views = try await sandbox.v4("GET", "views", token: token).data
            let id = views.first { $0["name"] as? String == "StaffStamps" }?["viewId"] as? String ?? "?"
            let v4 = try await sandbox.v4("GET", "views/\(id)/fields/Staff_Updated", token: token).data.first
            #expect(v4?["stampOnInsert"] as? Bool == false && v4?["stampOnUpdate"] as? Bool == true && v4?["stampTimeZone"] as? String == "Europe/Berlin", "\(v4 ?? [:])")
        }
    }
}
