import CaspioTestSupport
import Foundation
import Testing

/// A scripted run through all 70 operations of openapi-v3.json over the full demo, in process
/// and against the `caspio sandbox` command, each answer recorded and validated by
/// scripts/conformance.py --all (which also fails when an operation was never answered
/// successfully).
@Suite struct ConformanceWalk {
    /// Records answers as the document names their operations.
    final class Recorder: @unchecked Sendable {
        let sandbox: SandboxHarness
        let token: String
        var recorded: [ConformanceTests.Recorded] = []

        init(_ sandbox: SandboxHarness, token: String) {
            self.sandbox = sandbox
            self.token = token
        }

        @discardableResult
        func call(_ method: String, _ template: String, _ path: String, json: Any? = nil) async throws -> SandboxHarness.Reply {
            let reply = try await sandbox.api(method, path, json: json, token: token)
            recorded.append(.init(path: "/v3/" + template, method: method.lowercased(), reply: reply))
            return reply
        }

        @discardableResult
        func upload(_ method: String, _ template: String, _ path: String, field: String, _ files: [(String, String)]) async throws -> SandboxHarness.Reply {
            let (type, body) = SandboxFilesTests.multipart(field, files)
            let reply = try await sandbox.send(method, "/integrations/rest/v3/" + path, headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            recorded.append(.init(path: "/v3/" + template, method: method.lowercased(), reply: reply))
            return reply
        }
    }

    static let demo = "00000000-0000-4000-8000-"
    static func id(_ n: Int) -> String { demo + String(format: "%012d", n) }

    @Test(.enabled(if: ConformanceTests.specification != nil, "openapi-v3.json not found: set CASPIO_OPENAPI"))
    func everyOperation() async throws {
        try await SandboxHarness.with({ $0.demoStaffTable = true }) { try await walk($0) }
    }

    /// The same walk against `caspio sandbox --seed` (the demo with its Staff table), as users run it.
    @Test(.enabled(if: ConformanceTests.specification != nil, "openapi-v3.json not found: set CASPIO_OPENAPI"))
    func everyOperationOfTheCommand() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seed = directory.appendingPathComponent("seed.json")
        try Data(#"{"Demo": {"StaffTable": true}}"#.utf8).write(to: seed)
        let (process, exports) = try await SpawnedProcess.sandbox(["--seed", seed.path])
        do {
            let base = try #require(exports["CASPIO_BASE_URL"])
            try await walk(SandboxHarness(running: nil, origin: String(base.dropLast("/integrations/rest/v3".count))))
        } catch {
            process.signal(SIGTERM)
            _ = try? await process.finish()
            throw error
        }
        process.signal(SIGTERM)
        #expect(try await process.finish().status == 0)
    }

    func walk(_ sandbox: SandboxHarness) async throws {
        let r = Recorder(sandbox, token: try await sandbox.accessToken())
        try await tables(r)
        try await attachmentsAndPasswords(r)
        try await views(r)
        try await files(r)
        try await webhooks(r)
        try await tasksAppsDirectories(r)
        try await ConformanceTests.validate(r.recorded, all: true)
    }

    func tables(_ r: Recorder) async throws {
        let t = "tables/{tableName}", records = "tables/{tableName}/records", field = "tables/{tableName}/fields/{fieldName}"
        try await r.call("GET", "tables", "tables")
        try await r.call("POST", "tables", "tables", json: ["Name": "Walk", "Fields": [["Name": "Title", "Type": "STRING"], ["Name": "Code", "Type": "GUID", "Unique": true]]])
        try await r.call("POST", "tables", "tables", json: ["Name": "Walk2", "Fields": [["Name": "Code", "Type": "GUID"]]])  // 400: not Unique
        try await r.call("GET", t, "tables/Walk")
        try await r.call("GET", "tables/{tableName}/fields", "tables/Walk/fields")
        try await r.call("POST", "tables/{tableName}/fields", "tables/Walk/fields", json: ["Name": "Note", "Type": "TEXT"])
        try await r.call("GET", field, "tables/Walk/fields/Note")
        try await r.call("PUT", field, "tables/Walk/fields/Note", json: ["Name": "Remark", "Label": "Remark"])
        try await r.call("DELETE", field, "tables/Walk/fields/Remark")
        try await r.call("GET", field, "tables/Walk/fields/Remark")  // 404
        try await r.call("POST", records, "tables/Walk/records?response=rows", json: ["Title": "one"])
        try await r.call("POST", records, "tables/Walk/records", json: ["Title": "two"])
        try await r.call("GET", records, "tables/Walk/records?q.pageSize=5&q.getPaginationInfo=true&q.orderBy=PK_ID")
        try await r.call("PUT", records, "tables/Walk/records?response=rows&q.where=\(q("Title='two'"))", json: ["Title": "three"])
        try await r.call("DELETE", records, "tables/Walk/records?q.where=\(q("Title='three'"))")
    }

    func attachmentsAndPasswords(_ r: Recorder) async throws {
        let a = "tables/{tableName}/attachments/{attachmentFieldName}", p = "tables/{tableName}/passwordFields/{passwordFieldName}"
        try await r.call("GET", "tables/{tableName}/passwordFields", "tables/Staff/passwordFields")
        try await r.call("PUT", p, "tables/Staff/passwordFields/Password?q.where=\(q("PK_ID=2"))", json: ["Value": "new-secret"])
        try await r.call("DELETE", p, "tables/Staff/passwordFields/Password?q.where=\(q("PK_ID=3"))")
        try await r.call("GET", "tables/{tableName}/records", "tables/Staff/records?q.where=\(q("Password='x'"))")  // 400
        try await r.upload("PUT", a + "/{recordPkId}", "tables/Staff/attachments/Photo/2", field: "File", [("ben.txt", "a photo of Ben")])
        try await r.call("GET", a + "/{recordPkId}", "tables/Staff/attachments/Photo/2")
        try await r.call("GET", a + "/fileInfo", "tables/Staff/attachments/Photo/fileInfo?q.where=\(q("PK_ID<3"))")
        try await r.call("PUT", a + "/fileInfo", "tables/Staff/attachments/Photo/fileInfo?response=rows&q.where=\(q("PK_ID=2"))", json: ["FileName": "benny.txt"])
        try await r.call("DELETE", a, "tables/Staff/attachments/Photo?q.where=\(q("PK_ID=2"))")
        try await r.call("GET", a + "/{recordPkId}", "tables/Staff/attachments/Photo/2")  // 404
    }

    func views(_ r: Recorder) async throws {
        let v = "views/{viewName}", records = "views/{viewName}/records", a = "views/{viewName}/attachments/{attachmentFieldName}"
        try await r.call("GET", "views", "views")
        try await r.call("GET", v, "views/CaliforniaOrders")
        try await r.call("GET", v + "/fields", "views/CaliforniaOrders/fields")
        try await r.call("GET", v + "/fields/{fieldName}", "views/CaliforniaOrders/fields/Customers_Name")
        try await r.call("GET", records, "views/CaliforniaOrders/records?q.limit=3&q.orderBy=PK_ID")
        try await r.call("POST", records, "views/CaliforniaOrders/records", json: ["Orders_Quantity": 1])  // 403: two tables
        try await r.call("POST", records, "views/NewYorkCustomers/records?response=rows", json: ["Customers_Name": "Walk NY", "Customers_Email": "w@x.y"])
        try await r.call("PUT", records, "views/NewYorkCustomers/records?q.where=\(q("Customers_Name='Walk NY'"))", json: ["Customers_Email": "z@x.y"])
        try await r.call("DELETE", records, "views/NewYorkCustomers/records?q.where=\(q("Customers_Name='Walk NY'"))")
        try await r.upload("PUT", a + "/{recordPkId}", "views/StaffPhotos/attachments/Staff_Photo/3", field: "File", [("cy.txt", "a photo of Cy")])
        try await r.call("GET", a + "/{recordPkId}", "views/StaffPhotos/attachments/Staff_Photo/3")
        try await r.call("GET", a + "/fileInfo", "views/StaffPhotos/attachments/Staff_Photo/fileInfo?q.where=\(q("PK_ID='3'"))")
        try await r.call("PUT", a + "/fileInfo", "views/StaffPhotos/attachments/Staff_Photo/fileInfo?q.where=\(q("PK_ID='3'"))", json: ["FileName": "cyrus.txt"])
        try await r.call("DELETE", a, "views/StaffPhotos/attachments/Staff_Photo?q.where=\(q("PK_ID='3'"))")
    }

    func files(_ r: Recorder) async throws {
        try await r.call("GET", "files/folders", "files/folders")
        try await r.call("GET", "files/folders", "files/folders?externalKey=\(Self.id(101))")
        try await r.call("GET", "files/folders/{externalKey}", "files/folders/\(Self.id(102))")
        try await r.call("GET", "files", "files?externalKey=\(Self.id(101))")
        let posted = try await r.upload("POST", "files", "files?externalKey=\(Self.id(102))", field: "Files", [("walk.csv", "1,2")])
        try await r.upload("POST", "files", "files?externalKey=\(Self.id(102))", field: "Files", [("walk.csv", "again")])  // 409
        try await r.upload("PUT", "files", "files?externalKey=\(Self.id(102))", field: "File", [("walk.csv", "3,4")])
        let key = posted.result.first?["ExternalKey"] as? String ?? ""
        try await r.call("GET", "files/{externalKey}/fileInfo", "files/\(key)/fileInfo")
        try await r.call("GET", "files/{externalKey}", "files/\(key)")
        try await r.call("GET", "files/path/fileInfo", "files/path/fileInfo?filePath=\(q("/Reports/2024/walk.csv"))")
        try await r.call("GET", "files/path", "files/path?filePath=\(q("/Reports/2024/walk.csv"))")
        try await r.call("DELETE", "files/path", "files/path?filePath=\(q("/Reports/2024/walk.csv"))")
        try await r.call("DELETE", "files/{externalKey}", "files/\(key)")  // 404: gone
        try await r.call("DELETE", "files/{externalKey}", "files/\(try await r.call("GET", "files", "files?externalKey=\(Self.id(101))").result.first?["ExternalKey"] as? String ?? "")")
    }

    func webhooks(_ r: Recorder) async throws {
        let w = "outgoingWebhooks/{webhookId}", e = "outgoingWebhooks/{webhookId}/events/{eventId}"
        try await r.call("GET", "outgoingWebhooks", "outgoingWebhooks")
        let hook = try await r.call("POST", "outgoingWebhooks", "outgoingWebhooks", json: ["Name": "walk", "OutgoingUrls": ["http://127.0.0.1:9/w"], "CallThrottling": 2])
        let id = hook.object["Id"] as? String ?? ""
        try await r.call("GET", w, "outgoingWebhooks/\(id)")
        try await r.call("PUT", w, "outgoingWebhooks/\(id)", json: ["Name": "walk 2", "Enabled": false])
        try await r.call("GET", w + "/events", "outgoingWebhooks/\(id)/events")
        let event = try await r.call("POST", w + "/events", "outgoingWebhooks/\(id)/events", json: ["EventType": "table.recordInsert", "ObjectName": "Walk"])
        try await r.call("POST", w + "/events", "outgoingWebhooks/\(id)/events", json: ["EventType": "table.recordInsert", "ObjectName": "Walk"])  // 400: one insert event
        let eventID = event.object["Id"] as? String ?? ""
        try await r.call("GET", e, "outgoingWebhooks/\(id)/events/\(eventID)")
        try await r.call("PUT", e, "outgoingWebhooks/\(id)/events/\(eventID)", json: ["EventType": "table.recordDelete", "ObjectName": "Walk"])
        try await r.call("DELETE", e, "outgoingWebhooks/\(id)/events/\(eventID)")
        try await r.call("DELETE", w, "outgoingWebhooks/\(id)")
        try await r.call("GET", w, "outgoingWebhooks/\(id)")  // 404
    }

    func tasksAppsDirectories(_ r: Recorder) async throws {
        let task = "dataImportExportTasks/{externalKey}", app = "bridgeApplications/{externalKey}", page = app + "/datapages/{appKey}"
        let users = "directories/{directoryId}/users", directory = Self.id(501)
        try await r.call("GET", "dataImportExportTasks", "dataImportExportTasks")
        try await r.call("GET", task, "dataImportExportTasks/\(Self.id(301))")
        try await r.call("POST", task + "/run", "dataImportExportTasks/\(Self.id(301))/run")
        try await r.call("GET", "bridgeApplications", "bridgeApplications")
        try await r.call("GET", app, "bridgeApplications/\(Self.id(401))")
        try await r.call("GET", app + "/datapages", "bridgeApplications/\(Self.id(401))/datapages")
        try await r.call("GET", page, "bridgeApplications/\(Self.id(401))/datapages/\(Self.id(402))")
        try await r.call("GET", page + "/deployment", "bridgeApplications/\(Self.id(401))/datapages/\(Self.id(402))/deployment?method=E")
        try await r.call("PUT", page + "/deployment", "bridgeApplications/\(Self.id(401))/datapages/\(Self.id(403))/deployment", json: ["Deployed": true])
        try await r.call("PUT", app + "/datapages/deployment", "bridgeApplications/\(Self.id(401))/datapages/deployment", json: ["Deployed": false])
        try await r.call("GET", page + "/deployment", "bridgeApplications/\(Self.id(401))/datapages/\(Self.id(402))/deployment?method=URL")  // 400
        try await r.call("GET", "directories", "directories")
        try await r.call("GET", users, "directories/\(directory)/users?q.orderBy=Email&q.pageSize=5&q.getPaginationInfo=true")
        try await r.call("POST", users, "directories/\(directory)/users?response=rows", json: ["Email": "walk@example.com", "FirstName": "Walk"])
        try await r.call("PUT", users, "directories/\(directory)/users?response=rows&Where=\(q("Email='walk@example.com'"))", json: ["LastName": "Er"])
        try await r.call("POST", users + "/activate", "directories/\(directory)/users/activate", json: ["UserGUID": Self.id(512), "SendEmail": false])
        try await r.call("POST", users + "/activate", "directories/\(directory)/users/activate", json: ["UserGUID": Self.id(512), "SendEmail": false])  // 409
        try await r.call("DELETE", users, "directories/\(directory)/users?Where=\(q("Email='walk@example.com'"))")
    }
}
