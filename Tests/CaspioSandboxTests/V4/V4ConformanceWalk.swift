import CaspioClient
import CaspioTestSupport
import Foundation
import Testing

/// A scripted run through every v4 operation the sandbox serves, over the full demo, in process
/// and against the `caspio sandbox` command; each answer is validated by scripts/conformance.py
/// against the sandbox's own description of v4's answers (docs/openapi-v4-sandbox.json), which
/// also fails when an operation it describes was never answered successfully.
@Suite struct V4ConformanceWalk {
    static let document = ConformanceTests.packageRoot.appendingPathComponent("docs/openapi-v4-sandbox.json").path
    static var operations: Int {
        let data = FileManager.default.contents(atPath: document) ?? Data()
        let paths = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["paths"] as? [String: [String: Any]] ?? [:]
        return paths.values.map(\.count).reduce(0, +)
    }

    final class Recorder: @unchecked Sendable {
        let sandbox: SandboxHarness
        let token: String
        var recorded: [ConformanceTests.Recorded] = []

        init(_ sandbox: SandboxHarness, token: String) {
            self.sandbox = sandbox
            self.token = token
        }

        @discardableResult
        func upload(_ method: String, _ template: String, _ path: String, field: String, _ files: [(String, String)]) async throws -> SandboxHarness.Reply {
            let (type, body) = SandboxFilesTests.multipart(field, files)
            let reply = try await sandbox.send(method, "/integrations/rest/v4/" + path, headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            recorded.append(.init(path: "/v4/" + template, method: method.lowercased(), reply: reply))
            return reply
        }

        /// A multipart body whose file parts each name their own form field: (field, filename, content).
        @discardableResult
        func uploadParts(_ template: String, _ path: String, _ parts: [(String, String, String)]) async throws -> SandboxHarness.Reply {
            let (type, body) = SandboxFilesTests.multipart(parts: parts)
            let reply = try await sandbox.send("POST", "/integrations/rest/v4/" + path, headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            recorded.append(.init(path: "/v4/" + template, method: "post", reply: reply))
            return reply
        }

        @discardableResult
        func call(_ method: String, _ template: String, _ path: String, json: Any? = nil) async throws -> SandboxHarness.Reply {
            let reply = try await sandbox.v4(method, path, json: json, token: token)
            recorded.append(.init(path: "/v4" + (template.isEmpty ? "" : "/" + template), method: method.lowercased(), reply: reply))
            return reply
        }
    }

    @Test func everyOperation() async throws {
        try await SandboxHarness.with({ $0.demoStaffTable = true; $0.rateLimit = .init(requests: 2000, window: 300, burstPerSecond: .max) }) { try await walk($0) }
    }

    @Test func everyOperationOfTheCommand() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let seed = directory.appendingPathComponent("seed.json")
        try Data(#"{"Demo": {"StaffTable": true}}"#.utf8).write(to: seed)
        let (process, exports) = try await SpawnedProcess.sandbox(["--seed", seed.path])
        do {
            let base = try #require(exports["CASPIO_BASE_URL"])
            let harness = SandboxHarness(running: nil, origin: String(base.dropLast("/integrations/rest/v3".count)))
            // Off Swift's pool: a busy pool would stretch the walk past the process's deadline.
            try await withTaskExecutorPreference(RequestExecutor.shared) { try await walk(harness) }
        } catch {
            process.signal(SIGTERM)
            _ = try? await process.finish()
            throw error
        }
        process.signal(SIGTERM)
        #expect(try await process.finish().status == 0)
    }

    /// The sandbox serves all 107 operations of API-V4-NOTES.md's catalog, and its document
    /// describes exactly what `GET /v4` lists (less the three 405s it leaves out).
    @Test func theCatalogIsComplete() async throws {
        let data = try #require(FileManager.default.contents(atPath: Self.document))
        let paths = try #require((try JSONSerialization.jsonObject(with: data) as? [String: Any])?["paths"] as? [String: [String: Any]])
        let outside: Set<String> = ["/v4", "/v4/me", "/v4/errors", "/v4/errors/{code}", "/v4/aiManifest"]
        let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
        let catalog = paths.filter { !outside.contains($0.key) }.map(\.value.count).reduce(0, +)
        #expect(catalog == 107, "\(catalog) of 107 catalog operations described")
        try await SandboxHarness.with { sandbox in
            let served = (try await sandbox.v4("GET", "").object["operations"] as? [String] ?? []).map { operation -> String in
                // `GET /tables/:tableId` → `GET /v4/tables/{tableId}`
                let parts = operation.split(separator: " ", maxSplits: 1).map(String.init)
                let path = parts[1].split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                return parts[0] + " /v4" + (parts[1] == "/" ? "" : path.joined(separator: "/"))
            }
            let answered405 = ["DELETE /v4/tables/{tableId}", "DELETE /v4/fileAssets/folders/{folderId}", "DELETE /v4/flexApplications/{appId}"]
            #expect(Set(served).subtracting(answered405) == described, "served, not described: \(Set(served).subtracting(answered405).subtracting(described)); described, not served: \(described.subtracting(served))")
        }
    }

    func walk(_ sandbox: SandboxHarness) async throws {
        let r = Recorder(sandbox, token: try await sandbox.accessToken())
        try await root(r)
        try await tables(r)
        try await views(r)
        try await webhooks(r)
        try await account(r)
        try await files(r)
        try await attachmentsAndPasswords(r)
        try await directories(r)
        try await ConformanceTests.validate(r.recorded, all: true, document: Self.document, operations: Self.operations)
    }

    func root(_ r: Recorder) async throws {
        try await r.call("GET", "", "")
        try await r.call("GET", "me", "me")
        try await r.call("GET", "aiManifest", "aiManifest")
        try await r.call("GET", "errors", "errors?pageSize=5&pageNumber=2")
        try await r.call("GET", "errors/{code}", "errors/InvalidInputValue")
        try await r.call("GET", "errors/{code}", "errors/Nope")  // 404
        for kind in ["tables", "views", "directories", "outgoingWebhooks"] { try await r.call("GET", "schemas/" + kind, "schemas/" + kind) }
    }

    func tables(_ r: Recorder) async throws {
        let t = "tables/{tableId}", f = t + "/fields/{fieldName}", records = t + "/records", one = records + "/{recordPkId}", bulk = records + "/bulk"
        try await r.call("GET", "tables", "tables?limit=2")
        let created = try await r.call("POST", "tables", "tables", json: ["name": "Walk", "fields": [["name": "Title", "dataType": "TEXT255"], ["name": "Rank", "dataType": "INTEGER"]]])
        try await r.call("POST", "tables", "tables", json: ["name": "Walk", "fields": [] as [Any]])  // 400: taken
        let id = created.data.first?["tableId"] as? String ?? "?"
        try await r.call("GET", t, "tables/\(id)")
        try await r.call("GET", t, "tables/Walk")  // 404: a name is not an id
        try await r.call("GET", t + "/fields", "tables/\(id)/fields?pageNumber=1&pageSize=5")
        try await r.call("POST", t + "/fields", "tables/\(id)/fields", json: ["name": "Note", "dataType": "TEXT64K"])
        try await r.call("GET", f, "tables/\(id)/fields/Note")
        try await r.call("PATCH", f, "tables/\(id)/fields/Note", json: ["name": "Remark", "label": "Remark"])
        try await r.call("DELETE", f, "tables/\(id)/fields/Remark")
        try await r.call("GET", f, "tables/\(id)/fields/Remark")  // 404
        try await r.call("POST", records, "tables/\(id)/records", json: ["Title": "one", "Rank": 1])
        try await r.call("POST", records, "tables/\(id)/records?echo=true", json: ["Title": "two", "Rank": 2])
        try await r.call("POST", records, "tables/\(id)/records", json: ["Title": "three", "Rank": "3"])  // 400: a number as text
        try await r.call("GET", records, "tables/\(id)/records?orderBy=PK_ID&pageSize=5")
        try await r.call("GET", records, "tables/\(id)/records?q.where=\(q("Rank=1"))")  // 400: q.
        try await r.call("GET", records, "tables/\(id)/records?select=\(q("COUNT(PK_ID) AS N"))&where=\(q("Title <> N'x'"))")
        try await r.call("GET", one, "tables/\(id)/records/1")
        try await r.call("GET", one, "tables/\(id)/records/99")  // 404
        try await r.call("PATCH", one, "tables/\(id)/records/1", json: ["Rank": NSNull()])
        try await r.call("PUT", one, "tables/\(id)/records/1", json: ["Title": "uno"])
        try await r.call("DELETE", one, "tables/\(id)/records/2")
        try await r.call("POST", bulk, "tables/\(id)/records/bulk", json: [["Title": "a"], ["Title": "b"]])
        try await r.call("POST", bulk, "tables/\(id)/records/bulk", json: [["Title": "c"], ["Rank": 5.5], ["Title": "d"]])  // 207
        try await r.call("POST", bulk, "tables/\(id)/records/bulk", json: Array(repeating: ["Title": "x"], count: 1001))  // 400
        try await r.call("PATCH", bulk, "tables/\(id)/records/bulk", json: ["where": "Title IN (N'a', N'b')", "recordValues": ["Rank": 7]])
        try await r.call("PATCH", bulk, "tables/\(id)/records/bulk", json: ["where": "1=1", "recordValues": ["Rank": 7]])  // 400: guard
        try await r.call("DELETE", bulk, "tables/\(id)/records/bulk?echo=true", json: ["where": "Rank = 7"])
        try await r.call("DELETE", bulk, "tables/\(id)/records/bulk", json: ["where": "PK_ID > 0"])  // 400: guard
    }

    func views(_ r: Recorder) async throws {
        let v = "views/{viewId}", records = v + "/records", one = records + "/{recordPkId}", bulk = records + "/bulk"
        let list = try await r.call("GET", "views", "views")
        let ids = Dictionary(uniqueKeysWithValues: list.data.map { ($0["name"] as? String ?? "", $0["viewId"] as? String ?? "") })
        let join = ids["CaliforniaOrders"] ?? "?", ny = ids["NewYorkCustomers"] ?? "?"
        try await r.call("GET", v, "views/\(join)")
        try await r.call("GET", v + "/fields", "views/\(join)/fields")
        try await r.call("GET", v + "/fields/{fieldName}", "views/\(join)/fields/Orders_Quantity")
        try await r.call("GET", records, "views/\(join)/records?orderBy=PK_ID&limit=3")
        try await r.call("GET", one, "views/\(join)/records/1,1")
        try await r.call("PATCH", one, "views/\(join)/records/1,1", json: ["Orders_Quantity": 2])  // 403: two tables
        try await r.call("POST", records, "views/\(ny)/records", json: ["Customers_Name": "Walk NY", "Customers_Email": "w@x.y"])
        try await r.call("PUT", one, "views/\(ny)/records/2", json: ["Customers_Email": "two@x.y"])
        try await r.call("PATCH", one, "views/\(ny)/records/2", json: ["Customers_Email": NSNull()])
        try await r.call("DELETE", one, "views/\(ny)/records/7")
        try await r.call("POST", bulk, "views/\(ny)/records/bulk", json: [["Customers_Name": "Bulk NY"]])
        try await r.call("PATCH", bulk, "views/\(ny)/records/bulk", json: ["where": "PK_ID IN ('12', '17')", "recordValues": ["Customers_Email": "ny@x.y"]])
        try await r.call("DELETE", bulk, "views/\(ny)/records/bulk", json: ["where": "Customers_Email = N'ny@x.y'"])
    }

    func webhooks(_ r: Recorder) async throws {
        let w = "outgoingWebhooks/{webhookId}", e = w + "/events/{eventId}"
        try await r.call("GET", "outgoingWebhooks", "outgoingWebhooks")
        let hook = try await r.call("POST", "outgoingWebhooks", "outgoingWebhooks", json: ["name": "walk", "outgoingUrls": ["http://127.0.0.1:9/w"], "callThrottling": 2])
        let id = hook.data.first?["webhookId"] as? String ?? "?"
        try await r.call("POST", "outgoingWebhooks", "outgoingWebhooks", json: ["name": "walk"])  // 400: no URLs
        try await r.call("GET", w, "outgoingWebhooks/\(id)")
        try await r.call("PATCH", w, "outgoingWebhooks/\(id)", json: ["name": "walk 2", "enabled": false])
        try await r.call("PATCH", w + "/regenerateSecret", "outgoingWebhooks/\(id)/regenerateSecret")
        let orders = try await r.sandbox.tableID("Orders", token: r.token)
        let event = try await r.call("POST", w + "/events", "outgoingWebhooks/\(id)/events", json: ["type": "table.recordInsert", "objectId": orders])
        try await r.call("POST", w + "/events", "outgoingWebhooks/\(id)/events", json: ["type": "table.recordInsert", "objectId": orders])  // 400: one insert event
        try await r.call("GET", w + "/events", "outgoingWebhooks/\(id)/events")
        let eventID = event.data.first?["eventId"] as? String ?? "?"
        try await r.call("GET", e, "outgoingWebhooks/\(id)/events/\(eventID)")
        try await r.call("PATCH", e, "outgoingWebhooks/\(id)/events/\(eventID)", json: ["type": "table.recordUpdate", "objectFields": ["Shipped"]])
        try await r.call("DELETE", e, "outgoingWebhooks/\(id)/events/\(eventID)")
        try await r.call("DELETE", w, "outgoingWebhooks/\(id)")
        try await r.call("GET", w, "outgoingWebhooks/\(id)")  // 404
    }

    func account(_ r: Recorder) async throws {
        let id = ConformanceWalk.id, task = "dataImportExportTasks/{taskId}", app = "bridgeApplications/{appId}", page = app + "/dataPages/{appKey}"
        try await r.call("GET", "dataImportExportTasks", "dataImportExportTasks")
        try await r.call("GET", task, "dataImportExportTasks/\(id(301))")
        try await r.call("POST", task + "/run", "dataImportExportTasks/\(id(301))/run")
        try await r.call("GET", "bridgeApplications", "bridgeApplications")
        try await r.call("GET", app, "bridgeApplications/\(id(401))")
        try await r.call("GET", app + "/dataPages", "bridgeApplications/\(id(401))/dataPages")
        try await r.call("GET", page, "bridgeApplications/\(id(401))/dataPages/\(id(402))")
        try await r.call("GET", page + "/deployment", "bridgeApplications/\(id(401))/dataPages/\(id(402))/deployment?method=iFrame")
        try await r.call("PUT", page + "/deployment", "bridgeApplications/\(id(401))/dataPages/\(id(403))/deployment", json: ["deployed": true])
        try await r.call("PUT", app + "/dataPages/bulk/deployment", "bridgeApplications/\(id(401))/dataPages/bulk/deployment", json: ["deployed": false])
        try await r.call("GET", page + "/deployment", "bridgeApplications/\(id(401))/dataPages/\(id(402))/deployment")  // 400: not deployed
        try await r.call("GET", "flexApplications", "flexApplications")
        try await r.call("GET", "flexApplications/{appId}", "flexApplications/\(id(601))")
    }

    func files(_ r: Recorder) async throws {
        let id = ConformanceWalk.id, file = "fileAssets/files/{fileId}", path = "fileAssets/files/path"
        try await r.call("GET", "fileAssets/folders", "fileAssets/folders")
        try await r.call("POST", "fileAssets/folders", "fileAssets/folders", json: ["name": "Walk", "parentFolderId": id(101)])
        try await r.call("GET", "fileAssets/folders/search", "fileAssets/folders/search?name=walk")
        try await r.call("GET", "fileAssets/folders/{folderId}", "fileAssets/folders/\(id(102))")
        try await r.call("GET", "fileAssets/files", "fileAssets/files?folderId=\(id(101))&pageSize=5")
        let posted = try await r.upload("POST", "fileAssets/files/bulk", "fileAssets/files/bulk?folderId=\(id(102))", field: "Files", [("walk.csv", "1,2")])
        try await r.upload("POST", "fileAssets/files/bulk", "fileAssets/files/bulk?folderId=\(id(102))", field: "Files", [("walk.csv", "again")])  // 409
        try await r.upload("PUT", "fileAssets/files", "fileAssets/files?folderId=\(id(102))", field: "File", [("walk.csv", "3,4")])
        try await r.call("GET", "fileAssets/files/search", "fileAssets/files/search?name=walk")
        let key = posted.data.first?["fileId"] as? String ?? "?"
        try await r.call("GET", file + "/fileInfo", "fileAssets/files/\(key)/fileInfo")
        try await r.call("GET", file, "fileAssets/files/\(key)")
        try await r.call("GET", path + "/fileInfo", "fileAssets/files/path/fileInfo?filePath=\(q("/Reports/2024/walk.csv"))")
        try await r.call("GET", path, "fileAssets/files/path?filePath=\(q("/Reports/2024/walk.csv"))")
        try await r.call("DELETE", path, "fileAssets/files/path?filePath=\(q("/Reports/2024/walk.csv"))")
        try await r.call("DELETE", file, "fileAssets/files/\(key)")  // 404: gone
        try await r.call("DELETE", file, "fileAssets/files/\(id(111))")
    }

    func attachmentsAndPasswords(_ r: Recorder) async throws {
        let staff = try await r.sandbox.tableID("Staff", token: r.token)
        let views = try await r.sandbox.v4("GET", "views", token: r.token).data
        let photos = views.first { $0["name"] as? String == "StaffPhotos" }?["viewId"] as? String ?? "?"
        for (base, id, field) in [("tables/{tableId}", "tables/\(staff)", "Photo"), ("views/{viewId}", "views/\(photos)", "Staff_Photo")] {
            let one = base + "/records/{recordPkId}/attachments/{fieldName}", bulk = base + "/records/bulk/attachments/{fieldName}"
            try await r.upload("PUT", one, "\(id)/records/2/attachments/\(field)", field: "File", [("ben.txt", "a photo of Ben")])
            try await r.call("GET", one, "\(id)/records/2/attachments/\(field)")
            try await r.call("GET", bulk + "/fileInfo", "\(id)/records/bulk/attachments/\(field)/fileInfo?where=\(q("PK_ID IN ('1', '2')"))")
            try await r.call("PATCH", bulk + "/fileInfo", "\(id)/records/bulk/attachments/\(field)/fileInfo", json: ["where": "PK_ID = '2'", "fileName": "benny.txt"])
            try await r.call("DELETE", one, "\(id)/records/2/attachments/\(field)")
            try await r.call("GET", one, "\(id)/records/2/attachments/\(field)")  // 404
            try await r.call("DELETE", bulk, "\(id)/records/bulk/attachments/\(field)", json: ["where": "PK_ID = '1'"])
            let many = base + "/records/bulk/attachments"
            try await r.uploadParts(many, "\(id)/records/bulk/attachments", [("\(field)/1", "ada.png", "Ada"), ("\(field)/3", "cy.png", "Cy")])
            try await r.uploadParts(many, "\(id)/records/bulk/attachments", [("\(field)/2", "ben.png", "Ben"), ("\(field)/99", "nobody.png", "?")])  // 207
            try await r.uploadParts(many, "\(id)/records/bulk/attachments", [("\(field)", "no-record.png", "?")])  // 207: no PK_ID
        }
        let passwords = "tables/{tableId}/records/bulk/passwordFields/{fieldName}"
        try await r.call("PATCH", passwords, "tables/\(staff)/records/bulk/passwordFields/Password", json: ["where": "PK_ID = 2", "value": "new-secret"])
        try await r.call("DELETE", passwords, "tables/\(staff)/records/bulk/passwordFields/Password", json: ["where": "PK_ID = 3"])
        try await r.call("DELETE", passwords, "tables/\(staff)/records/bulk/passwordFields/Password", json: ["where": "1=1"])  // 400: guard
    }

    func directories(_ r: Recorder) async throws {
        let directory = ConformanceWalk.id(501), d = "directories/{directoryId}", users = d + "/users", user = users + "/{userId}"
        let path = "directories/\(directory)"
        try await r.call("GET", "directories", "directories")
        try await r.call("GET", d, path)
        try await r.call("GET", d + "/fields", path + "/fields")
        try await r.call("POST", d + "/fields", path + "/fields", json: ["name": "Phone", "dataType": "TEXT255"])
        try await r.call("GET", d + "/fields/{fieldName}", path + "/fields/Phone")
        try await r.call("PATCH", d + "/fields/{fieldName}", path + "/fields/Phone", json: ["label": "Phone number"])
        try await r.call("DELETE", d + "/fields/{fieldName}", path + "/fields/Phone")
        try await r.call("DELETE", d + "/fields/{fieldName}", path + "/fields/Email")  // 400: every directory has it
        try await r.call("GET", users, path + "/users?orderBy=Email&pageSize=5")
        let made = try await r.call("POST", users, path + "/users", json: ["Email": "walk@example.com", "FirstName": "Walk"])
        let guid = made.data.first?["UserGUID"] as? String ?? "?"
        try await r.call("POST", users + "/bulk", path + "/users/bulk", json: [["Email": "w2@example.com"]])
        try await r.call("POST", users + "/bulk", path + "/users/bulk", json: [["Email": "w3@example.com"], ["Email": "w2@example.com"]])  // 207
        try await r.call("PATCH", user, path + "/users/\(guid)", json: ["LastName": "Er"])
        try await r.call("POST", user + "/activate", path + "/users/\(guid)/activate")
        try await r.call("POST", user + "/activate", path + "/users/\(guid)/activate")  // 409
        try await r.call("PATCH", users + "/bulk", path + "/users/bulk", json: ["where": "Email LIKE N'w%'", "recordValues": ["LastName": "W"]])
        try await r.call("DELETE", user, path + "/users/\(guid)")
        try await r.call("DELETE", users + "/bulk", path + "/users/bulk", json: ["where": "LastName = N'W'"])
        let a = user + "/attachments/{fieldName}", info = users + "/bulk/attachments/{fieldName}/fileInfo", ann = ConformanceWalk.id(511)
        try await r.call("POST", d + "/fields", path + "/fields", json: ["name": "Photo", "dataType": "ATTACHMENT"])
        try await r.upload("PUT", a, "\(path)/users/\(ann)/attachments/Photo", field: "File", [("ann.png", "png")])
        try await r.call("GET", a, "\(path)/users/\(ann)/attachments/Photo")
        try await r.call("GET", info, "\(path)/users/bulk/attachments/Photo/fileInfo?where=\(q("Status = N'Active'"))")
        try await r.call("PATCH", info, "\(path)/users/bulk/attachments/Photo/fileInfo", json: ["where": "Status = N'Active'", "fileName": "a.png"])
        try await r.call("DELETE", a, "\(path)/users/\(ann)/attachments/Photo")
        try await r.call("GET", a, "\(path)/users/\(ann)/attachments/Photo")  // 404
    }
}
