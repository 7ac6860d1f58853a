import Foundation
import Testing

/// Directories on v4: design by directoryId, users by UserGUID, bulk writes behind the guard.
@Suite struct V4DirectoriesTests {
    static let directory = ConformanceWalk.id(501)

    @Test func directoryDesign() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let list = try await sandbox.v4("GET", "directories", token: token)
            #expect(list.data.first?["directoryId"] as? String == Self.directory && list.data.first?["numberOfUsers"] as? Int == 3)
            #expect(try await sandbox.v4("GET", "directories/\(Self.directory)", token: token).data.first?["name"] as? String == "Customer portal")
            let fields = try await sandbox.v4("GET", "directories/\(Self.directory)/fields", token: token).data.map { $0["name"] as? String }
            #expect(fields.contains("Email") && fields.contains("UserGUID") && !fields.isEmpty)
            let added = try await sandbox.v4("POST", "directories/\(Self.directory)/fields", json: ["name": "Phone", "dataType": "TEXT255"], token: token)
            #expect(added.status == 201)
            #expect(try await sandbox.v4("PATCH", "directories/\(Self.directory)/fields/Phone", json: ["label": "Phone number"], token: token).data.first?["label"] as? String == "Phone number")
            #expect(try await sandbox.v4("GET", "directories/\(Self.directory)/fields/phone", token: token).data.first?["dataType"] as? String == "TEXT255")
            #expect(try await sandbox.v4("DELETE", "directories/\(Self.directory)/fields/Email", token: token).status == 400)
            #expect(try await sandbox.v4("DELETE", "directories/\(Self.directory)/fields/Phone", token: token).status == 204)
        }
    }

    @Test func usersByGUIDWithBulkWrites() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let users = "directories/\(Self.directory)/users"
            let active = try await sandbox.v4("GET", users + "?where=\(q("Status = N'Active'"))", token: token)
            #expect(active.data.map { $0["Email"] as? String } == ["ann@example.com"] && active.pagination["totalCount"] == 1)
            let one = try await sandbox.v4("POST", users, json: ["Email": "dee@example.com", "FirstName": "Dee"], token: token)
            #expect(one.status == 201 && one.data.first?["Status"] as? String == "Inactive", "\(one.text)")
            let guid = try #require(one.data.first?["UserGUID"] as? String)
            let bulk = try await sandbox.v4("POST", users + "/bulk", json: [["Email": "eve@example.com"], ["Email": "ann@example.com"]], token: token)
            #expect(bulk.status == 207 && (bulk.object["UserGUID"] as? [String])?.count == 1 && bulk.data.map { $0["status"] as? Int } == [201, 400], "\(bulk.text)")
            #expect(try await sandbox.v4("PATCH", users + "/\(guid)", json: ["LastName": "Day"], token: token).data.first?["LastName"] as? String == "Day")
            let activated = try await sandbox.v4("POST", users + "/\(guid)/activate", token: token)
            #expect(activated.data.first?["activationUrl"] as? String == "https://ACCOUNT.caspio.com/activate?user=\(guid)")
            #expect(try await sandbox.v4("POST", users + "/\(guid)/activate", token: token).status == 409)
            #expect(try await sandbox.v4("PATCH", users + "/bulk", json: ["where": "Email LIKE '%'", "recordValues": ["LastName": "X"]], token: token).code == "AlwaysTrueCondition")
            let updated = try await sandbox.v4("PATCH", users + "/bulk", json: ["where": "Status = N'Inactive'", "recordValues": ["LastName": "Waiting"]], token: token)
            #expect(updated.object["recordsAffected"] as? Int == 3, "\(updated.text)")
            #expect(try await sandbox.v4("DELETE", users + "/\(guid)", token: token).status == 204)
            #expect(try await sandbox.v4("DELETE", users + "/\(guid)", token: token).status == 404)
            #expect(try await sandbox.v4("DELETE", users + "/bulk", json: ["where": "LastName = N'Waiting'"], token: token).object["recordsAffected"] as? Int == 3)
            // v3 reads the same users.
            #expect(try await sandbox.api("GET", users, token: token).result.map { $0["Email"] as? String } == ["ann@example.com"])
        }
    }

    @Test func usersAttachments() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let base = "directories/\(Self.directory)", ann = ConformanceWalk.id(511)
            #expect(try await sandbox.v4("POST", base + "/fields", json: ["name": "Photo", "dataType": "ATTACHMENT"], token: token).status == 201)
            let (type, body) = SandboxFilesTests.multipart("File", [("ann.png", "png bytes")])
            let put = try await sandbox.send("PUT", "/integrations/rest/v4/\(base)/users/\(ann)/attachments/Photo", headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            #expect(put.status == 204, "\(put.text)")
            #expect(try await sandbox.v4("GET", base + "/users/\(ann)/attachments/Photo", token: token).text == "png bytes")
            let info = try await sandbox.v4("GET", base + "/users/bulk/attachments/Photo/fileInfo", token: token)
            #expect(info.data.map { $0["userId"] as? String } == [ann] && info.data.first?["fileName"] as? String == "ann.png", "\(info.text)")
            let renamed = try await sandbox.v4("PATCH", base + "/users/bulk/attachments/Photo/fileInfo", json: ["where": "Email = N'ann@example.com'", "fileName": "a.png"], token: token)
            #expect(renamed.object["recordsAffected"] as? Int == 1)
            #expect(try await sandbox.v4("PATCH", base + "/users/bulk/attachments/Photo/fileInfo", json: ["where": "1=1", "fileName": "x.png"], token: token).code == "AlwaysTrueCondition")
            #expect(try await sandbox.v4("DELETE", base + "/users/\(ann)/attachments/Photo", token: token).status == 204)
            #expect(try await sandbox.v4("GET", base + "/users/\(ann)/attachments/Photo", token: token).status == 404)
            #expect(try await sandbox.v4("GET", base + "/users/\(ann)/attachments/Email", token: token).status == 400)
        }
    }
}
