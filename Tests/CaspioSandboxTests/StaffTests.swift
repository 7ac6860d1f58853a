import CaspioSandbox
import Foundation
import Testing

/// The Staff table of the full demo: attachments (FILE), passwords, dates and LIST fields.
@Suite struct StaffTests {
    static func full(_ settings: inout SandboxSettings) { settings.demoStaffTable = true }

    func upload(_ sandbox: SandboxHarness, _ token: String, _ path: String, _ name: String, _ content: String) async throws -> SandboxHarness.Reply {
        let (type, body) = SandboxFilesTests.multipart("File", [(name, content)])
        return try await sandbox.send("PUT", "/integrations/rest/v3/" + path, headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
    }

    @Test func attachmentsUploadDownloadInfoRenameDelete() async throws {
        try await SandboxHarness.with({ Self.full(&$0); $0.maxUploadBytes = 100 }) { sandbox in
            let token = try await sandbox.accessToken()
            #expect(try await sandbox.api("GET", "tables/Staff/attachments/Photo/1", token: token).text == "a photo of Ada")
            #expect(try await upload(sandbox, token, "tables/Staff/attachments/Photo/2", "ben.txt", "Ben").status == 204)
            let download = try await sandbox.api("GET", "tables/Staff/attachments/Photo/2", token: token)
            #expect(download.text == "Ben" && download.headers["content-type"] == "text/csv")
            #expect(try await sandbox.api("GET", "tables/Staff/records?q.where=PK_ID=2&q.select=Photo", token: token).result.first?["Photo"] as? String == "ben.txt")
            let info = try await sandbox.api("GET", "tables/Staff/attachments/Photo/fileInfo?q.where=\(q("PK_ID > 0"))", token: token).result
            #expect(info.map { $0["PK_ID"] as? Int } == [1, 2] && info.last?["Size"] as? Int == 3)
            let renamed = try await sandbox.api("PUT", "tables/Staff/attachments/Photo/fileInfo?q.where=PK_ID=2", json: ["FileName": "benny.txt"], token: token)
            #expect(renamed.object["RecordsAffected"] as? Int == 1)
            #expect(try await upload(sandbox, token, "tables/Staff/attachments/Photo/3", "big.txt", String(repeating: "x", count: 101)).status == 413)
            #expect(try await upload(sandbox, token, "tables/Staff/attachments/Name/3", "a.txt", "x").status == 400)  // not a FILE field
            #expect(try await upload(sandbox, token, "tables/Staff/attachments/Photo/99", "a.txt", "x").status == 404)
            let gone = try await sandbox.api("DELETE", "tables/Staff/attachments/Photo?q.where=\(q("PK_ID IN (1, 2, 3)"))", token: token)
            #expect(gone.object["RecordsAffected"] as? Int == 2)
            #expect(try await sandbox.api("GET", "tables/Staff/attachments/Photo/1", token: token).status == 404)
            // Through a one-table view, by the view's string PK_ID.
            #expect(try await upload(sandbox, token, "views/StaffPhotos/attachments/Staff_Photo/3", "cy.txt", "Cy").status == 204)
            #expect(try await sandbox.api("GET", "views/StaffPhotos/attachments/Staff_Photo/3", token: token).text == "Cy")
        }
    }

    @Test func passwordsAreNeverShownNorFilteredAndChangeOnlyThroughTheirEndpoint() async throws {
        try await SandboxHarness.with(Self.full) { sandbox in
            let token = try await sandbox.accessToken()
            #expect(try await sandbox.api("GET", "tables/Staff/passwordFields", token: token).object["Result"] as? [String] == ["Password"])
            let rows = try await sandbox.api("GET", "tables/Staff/records", token: token).result
            #expect(rows.count == 3 && rows.allSatisfy { $0["Password"] == nil })
            for bad in ["q.select=Password", "q.where=\(q("Password = 'demo-ada'"))", "q.orderBy=Password", "q.select=\(q("Name, [Password]"))"] {
                let reply = try await sandbox.api("GET", "tables/Staff/records?\(bad)", token: token)
                #expect(reply.status == 400 && reply.object["Code"] as? String == "IncorrectQueryParameter", "\(bad)")
            }
            // Nor through a subquery from another table, nor from a directory's users.
            for clause in ["PK_ID IN (SELECT PK_ID FROM Staff WHERE Password LIKE 'demo%')", "Name IN (SELECT Email FROM __dir_users_1)"] {
                let reply = try await sandbox.api("GET", "tables/Customers/records?q.where=\(q(clause))", token: token)
                #expect(reply.status == 400 && reply.object["Code"] as? String == "SqlServerError", "\(clause): \(reply.text)")
            }
            // Even spelled so that the check cannot see it, the column is not there to read.
            #expect(try await sandbox.api("GET", "tables/Staff/records?q.select=*", token: token).result.allSatisfy { $0["Password"] == nil })
            #expect(try await sandbox.api("PUT", "tables/Staff/records?q.where=PK_ID=1", json: ["Password": "x"], token: token).status == 400)
            let set = try await sandbox.api("PUT", "tables/Staff/passwordFields/Password?q.where=\(q("PK_ID <= 2"))", json: ["Value": "s3cret"], token: token)
            #expect(set.status == 200 && set.object["RecordsAffected"] as? Int == 2)
            let cleared = try await sandbox.api("DELETE", "tables/Staff/passwordFields/Password?q.where=PK_ID=3", token: token)
            #expect(cleared.object["RecordsAffected"] as? Int == 1)
            #expect(try await sandbox.api("PUT", "tables/Staff/passwordFields/Name?q.where=PK_ID=3", json: ["Value": "x"], token: token).status == 400)
            #expect(try await sandbox.api("POST", "tables/Staff/records", json: ["Name": "Dee", "Email": "dee@example.com", "Password": "p"], token: token).status == 201)
        }
    }

    @Test func datesListsAndUniqueFields() async throws {
        try await SandboxHarness.with(Self.full) { sandbox in
            let token = try await sandbox.accessToken()
            let ada = try await sandbox.api("GET", "tables/Staff/records?q.where=PK_ID=1", token: token).result.first
            #expect(ada?["Joined"] as? String == "2021-03-01T00:00:00")
            #expect(ada?["Skills"] as? [String: String] == ["1": "SQL", "2": "Lua"])
            let added = try await sandbox.api("POST", "tables/Staff/records?response=rows", json: ["Name": "Eve", "Email": "eve@example.com", "Joined": "2024-02-29"], token: token)
            #expect(added.result.first?["Joined"] as? String == "2024-02-29T00:00:00")
            let since = try await sandbox.api("GET", "tables/Staff/records?q.where=\(q("Joined >= '2024-01-01'"))&q.select=Name&q.orderBy=Name", token: token)
            #expect(since.result.map { $0["Name"] as? String } == ["Cy Tan", "Eve"])
            for bad in ["2023-02-29", "01/05/2024", "2024-01-05T25:00:00", "yesterday", "2024-01-05T10:00:00+02:00"] {
                let reply = try await sandbox.api("POST", "tables/Staff/records", json: ["Name": "Bad", "Joined": bad], token: token)
                #expect(reply.status == 400 && reply.object["Code"] as? String == "IncorrectBodyParameter", "\(bad)")
            }
            #expect(try await sandbox.api("PUT", "tables/Staff/records?q.where=PK_ID=1", json: ["Skills": ["1": "x"]], token: token).status == 500)
            #expect(try await sandbox.api("PUT", "tables/Staff/records?q.where=PK_ID=1", json: ["Skills": "x"], token: token).status == 500)
            // Email is Unique: a second ada@example.com is the database's refusal.
            #expect(try await sandbox.api("POST", "tables/Staff/records", json: ["Email": "ada@example.com"], token: token).status == 400)
        }
    }

    /// SQL Server compares a DATE/TIME field with a text literal as datetimes, the literal
    /// converted, and refuses a literal that is not a date: so do v3 and v4 here.
    @Test func datesInClausesCompareAsMoments() async throws {
        try await SandboxHarness.with(Self.full) { sandbox in
            let token = try await sandbox.accessToken()
            func names(_ clause: String) async throws -> [String?] {
                try await sandbox.api("GET", "tables/Staff/records?q.where=\(q(clause))&q.select=Name&q.orderBy=PK_ID", token: token).result.map { $0["Name"] as? String }
            }
            // Joined: Ada 2021-03-01T00:00:00, Ben 2022-07-15T09:30:00, Cy 2024-01-05T00:00:00.
            #expect(try await names("Joined = '2024-01-05'") == ["Cy Tan"])
            #expect(try await names("'2022-07-15T09:30:00.000' = Staff.Joined") == ["Ben Ortiz"])
            #expect(try await names("Joined BETWEEN '2022-07-15 09:30' AND '2024-01-05'") == ["Ben Ortiz", "Cy Tan"])
            #expect(try await names("Joined NOT IN ('2021-03-01', '2024-01-05')") == ["Ben Ortiz"])
            #expect(try await names("Joined < '2022-07-15T09:30' OR [Joined] > '2024-01-04T23:59:59.9'") == ["Ada Park", "Cy Tan"])
            #expect(try await names("Updated = '2024-01-05T09:00'").count == 3)  // a TIMESTAMP field too
            let sorted = try await sandbox.api("GET", "tables/Staff/records?q.select=Name&q.orderBy=Joined%20DESC", token: token).result
            #expect(sorted.map { $0["Name"] as? String } == ["Cy Tan", "Ben Ortiz", "Ada Park"])
            for bad in ["Joined = 'yesterday'", "Joined BETWEEN '2020-01-01' AND '01/05/2024'", "Joined IN ('2024-01-05', '')", "Staff.Joined > '2024-13-01'"] {
                let reply = try await sandbox.api("GET", "tables/Staff/records?q.where=\(q(bad))", token: token)
                #expect(reply.status == 400 && reply.object["Code"] as? String == "SqlServerError", "\(bad): \(reply.text)")
                #expect((reply.object["Message"] as? String)?.contains("2024-01-05T15:17:10") == true, "\(bad)")
            }
            #expect(try await names("Name = 'yesterday'").isEmpty)  // text fields take any text
            // v4 runs the same clause, reads and bulk writes (behind the guard) alike.
            let staff = try await sandbox.tableID("Staff", token: token)
            #expect(try await sandbox.v4("GET", "tables/\(staff)/records?where=\(q("Joined = N'2024-01-05'"))", token: token).data.map { $0["Name"] as? String } == ["Cy Tan"])
            #expect(try await sandbox.v4("GET", "tables/\(staff)/records?where=\(q("Joined >= 'soon'"))", token: token).code == "SqlServerError")
            let changed = try await sandbox.v4("PATCH", "tables/\(staff)/records/bulk", json: ["where": "Joined <= '2021-03-01'", "recordValues": ["Name": "Ada P."]], token: token)
            #expect(changed.object["recordsAffected"] as? Int == 1, "\(changed.text)")
            #expect(try await sandbox.v4("DELETE", "tables/\(staff)/records/bulk", json: ["where": "Joined >= '0001-01-01' OR Joined IS NULL"], token: token).code == "AlwaysTrueCondition")
        }
    }
}
