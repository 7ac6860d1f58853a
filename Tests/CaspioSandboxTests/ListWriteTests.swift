import Foundation
import Testing

/// A LIST field takes no value through the REST API: Caspio answers 500 InvalidInputValue
/// (API-NOTES.md), and the row is not written.
@Suite struct ListWriteTests {
    @Test func listValuesAreRefusedAsCaspioRefusesThem() async throws {
        try await SandboxHarness.with(StaffTests.full) { sandbox in
            let token = try await sandbox.accessToken()
            let values: [Any] = [["1": "x"], "x", ["SQL"], "[9], [12]", 3]
            for value in values {
                let insert = try await sandbox.api("POST", "tables/Staff/records", json: ["Name": "Lee", "Email": "lee@example.com", "Skills": value], token: token)
                #expect(insert.status == 500 && insert.object["Code"] as? String == "InvalidInputValue", "\(value)")
                #expect((insert.object["Message"] as? String)?.contains("leave Skills out of the row") == true, "\(insert.object)")
                let update = try await sandbox.api("PUT", "tables/Staff/records?q.where=PK_ID=1", json: ["Skills": value], token: token)
                #expect(update.status == 500 && update.object["Code"] as? String == "InvalidInputValue", "\(value)")
            }
            let lee = try await sandbox.api("GET", "tables/Staff/records?q.where=\(q("Name = 'Lee'"))", token: token)
            #expect(lee.result.isEmpty, "nothing written")
            let ada = try await sandbox.api("GET", "tables/Staff/records?q.where=PK_ID=1", token: token).result.first
            #expect(ada?["Skills"] as? [String: String] == ["1": "SQL", "2": "Lua"], "unchanged")
        }
    }
}
