import Foundation
import Testing

/// Tasks, Bridge and Flex applications on v4: the seed's objects by their keys, lists enveloped.
@Suite struct V4AccountTests {
    static func id(_ n: Int) -> String { ConformanceWalk.id(n) }

    @Test func tasksRunAndAnswer204() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let tasks = try await sandbox.v4("GET", "dataImportExportTasks", token: token)
            #expect(tasks.data.map { $0["taskId"] as? String } == [Self.id(301), Self.id(302)] && tasks.pagination["totalCount"] == 2)
            #expect(try await sandbox.v4("GET", "dataImportExportTasks/\(Self.id(302))", token: token).data.first?["name"] as? String == "Import new products")
            #expect(try await sandbox.v4("POST", "dataImportExportTasks/\(Self.id(302))/run", token: token).status == 204)
            let products = try await sandbox.tableID("Products", token: token)
            let imported = try await sandbox.v4("GET", "tables/\(products)/records?where=\(q("Name = N'Scissors'"))", token: token).data.first
            #expect(imported?["Price"] as? Double == 6.5)
            #expect(try await sandbox.v4("GET", "dataImportExportTasks/nope", token: token).status == 404)
        }
    }

    @Test func bridgeAppsAndDataPageDeployment() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let app = Self.id(401), pages = "bridgeApplications/\(Self.id(401))/dataPages"
            #expect(try await sandbox.v4("GET", "bridgeApplications", token: token).data.first?["dataPagesCount"] as? Int == 2)
            #expect(try await sandbox.v4("GET", "bridgeApplications/\(app)", token: token).data.first?["appName"] as? String == "Order Desk")
            #expect(try await sandbox.v4("GET", pages, token: token).data.map { $0["deployed"] as? Bool } == [true, false])
            let code = try await sandbox.v4("GET", pages + "/\(Self.id(402))/deployment?method=URL", token: token)
            #expect(code.data.first?["deployCode"] as? String == "https://ACCOUNT.caspio.com/dp/\(Self.id(402))")
            #expect(try await sandbox.v4("GET", pages + "/\(Self.id(403))/deployment", token: token).status == 400)  // not deployed
            #expect(try await sandbox.v4("PUT", pages + "/\(Self.id(403))/deployment", json: ["deployed": true], token: token).status == 204)
            #expect(try await sandbox.v4("GET", pages + "/\(Self.id(403))", token: token).data.first?["deployed"] as? Bool == true)
            #expect(try await sandbox.v4("PUT", pages + "/bulk/deployment", json: ["deployed": false], token: token).status == 204)
            #expect(try await sandbox.v4("GET", pages, token: token).data.map { $0["deployed"] as? Bool } == [false, false])
            #expect(try await sandbox.v4("PUT", pages + "/bulk/deployment", json: ["Deployed": true], token: token).status == 400)
        }
    }

    @Test func flexAppsAreReadNeverDeleted() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let apps = try await sandbox.v4("GET", "flexApplications", token: token)
            #expect(apps.data.map { $0["name"] as? String } == ["Field Sales"])
            #expect(try await sandbox.v4("GET", "flexApplications/\(Self.id(601))", token: token).data.first?["appId"] as? String == Self.id(601))
            let delete = try await sandbox.v4("DELETE", "flexApplications/\(Self.id(601))", token: token)
            #expect(delete.status == 405 && delete.code == "MethodNotAllowed")
            #expect(try await sandbox.v4("GET", "flexApplications", token: token).data.count == 1)
        }
    }
}
