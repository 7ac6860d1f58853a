import Foundation
import Testing

/// Attachments and password fields of records on v4, over the demo's Staff table and its view.
@Suite struct V4AttachmentsTests {
    @Test func attachmentsOfTablesAndViews() async throws {
        try await SandboxHarness.with({ $0.demoStaffTable = true }) { sandbox in
            let token = try await sandbox.accessToken()
            let staff = "tables/\(try await sandbox.tableID("Staff", token: token))/records"
            let ada = try await sandbox.v4("GET", staff + "/1/attachments/Photo", token: token)
            #expect(ada.status == 200 && ada.text == "a photo of Ada")
            #expect(try await sandbox.v4("GET", staff + "/2/attachments/Photo", token: token).status == 404)
            let (type, body) = SandboxFilesTests.multipart("File", [("ben.txt", "a photo of Ben")])
            let put = try await sandbox.send("PUT", "/integrations/rest/v4/" + staff + "/2/attachments/Photo", headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            #expect(put.status == 204, "\(put.text)")
            let info = try await sandbox.v4("GET", staff + "/bulk/attachments/Photo/fileInfo?where=\(q("PK_ID < 3"))", token: token)
            #expect(info.data.map { $0["fileName"] as? String } == ["ada.txt", "ben.txt"] && info.data.first?["PK_ID"] as? String == "1", "\(info.text)")
            let renamed = try await sandbox.v4("PATCH", staff + "/bulk/attachments/Photo/fileInfo", json: ["where": "PK_ID = 2", "fileName": "benny.txt"], token: token)
            #expect(renamed.object["recordsAffected"] as? Int == 1)
            #expect(try await sandbox.api("GET", "tables/Staff/attachments/Photo/fileInfo?q.where=PK_ID=2", token: token).result.first?["FileName"] as? String == "benny.txt")
            #expect(try await sandbox.v4("DELETE", staff + "/bulk/attachments/Photo", json: ["where": "1=1"], token: token).code == "AlwaysTrueCondition")
            #expect(try await sandbox.v4("DELETE", staff + "/2/attachments/Photo", token: token).status == 204)
            #expect(try await sandbox.v4("DELETE", staff + "/2/attachments/Photo", token: token).status == 404)
            #expect(try await sandbox.v4("DELETE", staff + "/bulk/attachments/Photo", json: ["where": "PK_ID IN (1, 2)"], token: token).object["recordsAffected"] as? Int == 1)
            #expect(try await sandbox.v4("GET", staff + "/bulk/attachments/Photo/fileInfo", token: token).data.isEmpty)
            #expect(try await sandbox.v4("GET", staff + "/1/attachments/Name", token: token).status == 400)
            // Through the one-table view StaffPhotos: PK_ID as text, the same files.
            let views = try await sandbox.v4("GET", "views", token: token).data
            let photos = views.first { $0["name"] as? String == "StaffPhotos" }?["viewId"] as? String ?? "?"
            let (t2, b2) = SandboxFilesTests.multipart("File", [("cy.txt", "a photo of Cy")])
            let viewPut = try await sandbox.send("PUT", "/integrations/rest/v4/views/\(photos)/records/3/attachments/Staff_Photo", headers: [("Authorization", "Bearer " + token), ("Content-Type", t2)], body: b2)
            #expect(viewPut.status == 204, "\(viewPut.text)")
            #expect(try await sandbox.v4("GET", staff + "/3/attachments/Photo", token: token).text == "a photo of Cy")
        }
    }

    /// `POST …/records/bulk/attachments`: one file part per record, named FIELD/PK_ID; each goes
    /// in on its own, the answer one item per part in order (200, or 207 when any failed).
    @Test func bulkAttachmentsPutAFilePerRecordInOneCall() async throws {
        try await SandboxHarness.with({ $0.demoStaffTable = true; $0.maxUploadBytes = 100 }) { sandbox in
            let token = try await sandbox.accessToken()
            func post(_ path: String, _ parts: [(String, String, String)]) async throws -> SandboxHarness.Reply {
                let (type, body) = SandboxFilesTests.multipart(parts: parts)
                return try await sandbox.send("POST", "/integrations/rest/v4/\(path)/records/bulk/attachments", headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            }
            let staff = "tables/\(try await sandbox.tableID("Staff", token: token))"
            let all = try await post(staff, [("Photo/2", "ben.txt", "Ben"), ("photo/3", "cy.txt", "Cy")])
            #expect(all.status == 200 && all.object["recordsAffected"] as? Int == 2, "\(all.text)")
            #expect(all.data.map { $0["PK_ID"] as? String } == ["2", "3"] && all.data.allSatisfy { $0["status"] as? Int == 200 && $0["fieldName"] as? String == "Photo" })
            #expect(try await sandbox.v4("GET", staff + "/records/3/attachments/Photo", token: token).text == "Cy")
            #expect(try await sandbox.api("GET", "tables/Staff/records?q.where=PK_ID=2&q.select=Photo", token: token).result.first?["Photo"] as? String == "ben.txt")

            let some = try await post(staff, [("Photo/1", "ada2.txt", "Ada again"), ("Photo/99", "x.txt", "x"), ("Name/1", "x.txt", "x"), ("Photo", "x.txt", "x"),
                                              ("Photo/2", "big.txt", String(repeating: "b", count: 101))])
            #expect(some.status == 207 && some.object["recordsAffected"] as? Int == 1, "\(some.text)")
            #expect(some.data.map { $0["status"] as? Int } == [200, 404, 400, 400, 413], "\(some.text)")
            #expect(some.data.dropFirst().allSatisfy { ($0["error"] as? String)?.isEmpty == false })
            #expect(try await sandbox.v4("GET", staff + "/records/1/attachments/Photo", token: token).text == "Ada again")
            #expect(try await sandbox.v4("GET", staff + "/records/2/attachments/Photo", token: token).text == "Ben", "the refused part left the file as it was")

            // Through a view: PK_IDs as the view shows them; a view of two tables cannot be written.
            let views = try await sandbox.v4("GET", "views", token: token).data
            func view(_ name: String) -> String { "views/" + (views.first { $0["name"] as? String == name }?["viewId"] as? String ?? "?") }
            let viaView = try await post(view("StaffPhotos"), [("Staff_Photo/1", "a.txt", "A")])
            #expect(viaView.status == 200 && viaView.data.first?["fieldName"] as? String == "Staff_Photo", "\(viaView.text)")
            #expect(try await post(view("CaliforniaOrders"), [("Orders_Quantity/1,1", "a.txt", "A")]).status == 403)
            // No file part, or a JSON body: the whole request is refused, with the form to use.
            let none = try await sandbox.v4("POST", staff + "/records/bulk/attachments", json: ["Photo/1": "x"], token: token)
            #expect(none.status == 400 && none.remediation?.contains("FIELD/PK_ID") == true, "\(none.text)")
        }
    }

    /// The full demo's Documents table has a file on each of its 12 rows: attachment listings
    /// page on v4 (and list whole on v3, which does not page them).
    @Test func attachmentListingsPage() async throws {
        try await SandboxHarness.with({ $0.demoStaffTable = true }) { sandbox in
            let token = try await sandbox.accessToken()
            let info = "tables/\(try await sandbox.tableID("Documents", token: token))/records/bulk/attachments/File/fileInfo"
            var names: [String] = []
            for page in 1...3 {
                let reply = try await sandbox.v4("GET", info + "?pageSize=5&pageNumber=\(page)", token: token)
                #expect(reply.pagination == ["totalCount": 12, "pageNumber": page, "pageSize": 5], "\(reply.text)")
                #expect(reply.data.count == (page < 3 ? 5 : 2))
                names += reply.data.compactMap { $0["fileName"] as? String }
            }
            #expect(names.sorted() == (1...12).map { String(format: "doc-%02d.txt", $0) })
            #expect(try await sandbox.v4("GET", info + "?where=\(q("PK_ID > 10"))", token: token).data.map { $0["PK_ID"] as? String } == ["11", "12"])
            let v3 = try await sandbox.api("GET", "tables/Documents/attachments/File/fileInfo", token: token).result
            #expect(v3.count == 12)
            #expect(try await sandbox.api("GET", "tables/Documents/attachments/File/7", token: token).text == "Document 07")
            // The root of the file library has a file too, on both versions.
            #expect(try await sandbox.api("GET", "files", token: token).result.map { $0["Name"] as? String } == ["welcome.txt"])
            #expect(try await sandbox.v4("GET", "fileAssets/files", token: token).data.map { $0["name"] as? String } == ["welcome.txt"])
        }
    }

    @Test func passwordFieldsSetAndClearedByCondition() async throws {
        try await SandboxHarness.with({ $0.demoStaffTable = true }) { sandbox in
            let token = try await sandbox.accessToken()
            let bulk = "tables/\(try await sandbox.tableID("Staff", token: token))/records/bulk/passwordFields/Password"
            let set = try await sandbox.v4("PATCH", bulk, json: ["where": "Email = N'ben@example.com'", "value": "new-secret"], token: token)
            #expect(set.status == 200 && set.object["recordsAffected"] as? Int == 1 && !set.text.contains("new-secret"))
            #expect(try await sandbox.v4("PATCH", bulk, json: ["where": "PK_ID > 0", "value": "x"], token: token).code == "AlwaysTrueCondition")
            #expect(try await sandbox.v4("DELETE", bulk, json: ["where": "PK_ID = 3"], token: token).object["recordsAffected"] as? Int == 1)
            #expect(try await sandbox.v4("PATCH", "tables/\(try await sandbox.tableID("Staff", token: token))/records/bulk/passwordFields/Name", json: ["where": "PK_ID = 1", "value": "x"], token: token).status == 400)
            #expect(try await sandbox.v4("PATCH", bulk, json: ["value": "x"], token: token).status == 400)
        }
    }
}
