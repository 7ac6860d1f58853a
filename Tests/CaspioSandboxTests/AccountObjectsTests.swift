import Foundation
import Testing

/// Tasks, applications and directories of the demo (docs/sandbox.md).
@Suite struct AccountObjectsTests {
    static func id(_ n: Int) -> String { String(format: "00000000-0000-4000-8000-%012d", n) }

    @Test func tasksExportAndImportWhenRun() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let tasks = try await sandbox.api("GET", "dataImportExportTasks", token: token).result
            #expect(tasks.map { $0["Name"] as? String } == ["Export customers", "Import new products"])
            #expect(try await sandbox.api("POST", "dataImportExportTasks/\(Self.id(301))/run", token: token).status == 204)
            let csv = try await sandbox.api("GET", "files/path?filePath=\(q("/Reports/customers.csv"))", token: token).text
            let lines = csv.split(separator: "\r\n")
            #expect(lines.count == 251 && lines.first == "PK_ID,Name,State,Email" && lines[1] == "1,Customer 001,CA,Customer001@Example.COM")
            #expect(try await sandbox.api("POST", "dataImportExportTasks/\(Self.id(302))/run", token: token).status == 204)
            let products = try await sandbox.api("GET", "tables/Products/records?q.orderBy=PK_ID", token: token).result
            #expect(products.count == 10 && products.last?["Name"] as? String == "Scissors" && products.last?["Price"] as? Double == 6.5)
            #expect(try await sandbox.api("POST", "dataImportExportTasks/nope/run", token: token).status == 404)
        }
    }

    @Test func dataPagesDeployAndAnswerTheirCode() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let app = "bridgeApplications/\(Self.id(401))"
            #expect((try await sandbox.api("GET", app, token: token).object["Result"] as? [String: Any])?["DataPagesCount"] as? Int == 2)
            let code = try await sandbox.api("GET", "\(app)/datapages/\(Self.id(402))/deployment?method=e", token: token)
            #expect((code.json as? String)?.contains("/dp/\(Self.id(402))/emb") == true)
            #expect(try await sandbox.api("GET", "\(app)/datapages/\(Self.id(403))/deployment?method=URL", token: token).status == 400)  // not deployed
            #expect(try await sandbox.api("GET", "\(app)/datapages/\(Self.id(402))/deployment?method=x", token: token).status == 400)
            #expect(try await sandbox.api("PUT", "\(app)/datapages/\(Self.id(403))/deployment", json: ["Deployed": true], token: token).status == 204)
            #expect(try await sandbox.api("GET", "\(app)/datapages/\(Self.id(403))/deployment?method=URL", token: token).json as? String == "https://ACCOUNT.caspio.com/dp/\(Self.id(403))")
            #expect(try await sandbox.api("PUT", "\(app)/datapages/deployment", json: ["Deployed": false], token: token).status == 204)
            #expect(try await sandbox.api("GET", "\(app)/datapages/\(Self.id(402))/deployment?method=I", token: token).status == 400)
            #expect(try await sandbox.api("PUT", "\(app)/datapages/deployment", json: [:], token: token).status == 400)
            #expect(try await sandbox.api("GET", "\(app)/datapages/\(Self.id(999))", token: token).status == 404)
        }
    }

    @Test func directoryUsersByWhereAndActivation() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let users = "directories/\(Self.id(501))/users"
            #expect(try await sandbox.api("GET", "directories", token: token).result.first?["NumberOfUsers"] as? Int == 3)
            let inactive = try await sandbox.api("GET", "\(users)?q.where=\(q("Status = 'Inactive'"))&q.orderBy=Email&q.select=Email", token: token)
            #expect(inactive.result.map { $0["Email"] as? String } == ["bo@example.com", "cal@example.com"])
            #expect(try await sandbox.api("GET", "\(users)?q.select=Password", token: token).status == 400)
            // PUT and DELETE take the clause as Where (capital W): q.where is not it.
            #expect(try await sandbox.api("PUT", "\(users)?q.where=\(q("Email = 'bo@example.com'"))", json: ["LastName": "X"], token: token).status == 400)
            let renamed = try await sandbox.api("PUT", "\(users)?Where=\(q("Email = 'bo@example.com'"))", json: ["LastName": "Kimura"], token: token)
            #expect(renamed.object["UsersAffected"] as? Int == 1)
            let activate = try await sandbox.api("POST", "\(users)/activate", json: ["UserGUID": Self.id(512), "SendEmail": false], token: token)
            #expect(activate.status == 200 && ((activate.object["Result"] as? [String: Any])?["ActivationUrl"] as? String)?.isEmpty == false)
            #expect(try await sandbox.api("POST", "\(users)/activate", json: ["UserGUID": Self.id(512)], token: token).status == 409)
            #expect(try await sandbox.api("POST", "\(users)/activate", json: ["UserGUID": Self.id(599)], token: token).status == 404)
            let added = try await sandbox.api("POST", "\(users)?response=rows", json: ["Email": "dan@example.com"], token: token)
            #expect(added.status == 201 && added.result.first?["Status"] as? String == "Inactive" && added.result.first?["UserGUID"] is String)
            #expect(try await sandbox.api("DELETE", "\(users)?Where=\(q("Status = 'Inactive'"))", token: token).object["UsersAffected"] as? Int == 2)
            #expect(try await sandbox.api("GET", "tables", token: token).object["Result"] as? [String] == ["Customers", "Orders", "Products"])
        }
    }
}
