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
