import Foundation
import Testing

/// `GET /v4/schemas/…`: every table, view, directory and webhook in one call.
@Suite struct V4SchemaTests {
    @Test func tablesWithTheirFieldsInOneCall() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let tables = try await sandbox.v4("GET", "schemas/tables", token: token)
            #expect(tables.status == 200 && tables.data.map { $0["name"] as? String } == ["Customers", "Orders", "Products"])
            let customers = try #require(tables.data.first)
            let fields = customers["fields"] as? [[String: Any]] ?? []
            #expect(customers["fieldCount"] as? Int == 4 && fields.map { $0["dataType"] as? String } == ["PK_ID", "TEXT255", "TEXT255", "TEXT255"])
            #expect(fields.first?["editable"] as? Bool == false && fields.last?["editable"] as? Bool == true && fields.last?["length"] as? Int == 255)
            #expect(customers["relationships"] as? [Any] != nil && customers["triggeredActions"] as? [Any] != nil)
            #expect(try await sandbox.tableID("Customers", token: token) == customers["tableId"] as? String)
        }
    }

    @Test func viewsDirectoriesAndWebhooksWithoutSecrets() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let views = try await sandbox.v4("GET", "schemas/views", token: token).data
            #expect(views.map { $0["name"] as? String } == ["CaliforniaOrders", "NewYorkCustomers"])
            let viewFields = views.first?["fields"] as? [[String: Any]] ?? []
            #expect(viewFields.dropFirst().first?["tableFieldName"] as? String == "Customers.Name")
            #expect((views.first?["viewId"] as? String)?.count == 6)
            let directories = try await sandbox.v4("GET", "schemas/directories", token: token).data
            #expect(directories.first?["name"] as? String == "Customer portal" && directories.first?["directoryId"] as? String == "00000000-0000-4000-8000-000000000501")
            let hooks = try await sandbox.v4("GET", "schemas/outgoingWebhooks", token: token)
            let events = hooks.data.first?["events"] as? [[String: Any]] ?? []
            #expect(hooks.data.first?["name"] as? String == "Order changes" && events.map { $0["type"] as? String } == ["table.recordInsert", "table.recordUpdate"])
            #expect(events.first?["objectName"] as? String == "Orders")
            #expect(!hooks.text.lowercased().contains("secret"), "\(hooks.text)")
        }
    }
}
