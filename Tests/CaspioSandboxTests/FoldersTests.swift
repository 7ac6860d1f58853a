import Foundation
import Testing

/// Folders as a tree (docs/sandbox.md): listing by external key, files by folder path, the
/// v2 listing of folders and files together.
@Suite struct FoldersTests {
    static let reports = "00000000-0000-4000-8000-000000000101", year = "00000000-0000-4000-8000-000000000102"

    @Test func aTreeOfFoldersWithFiles() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let root = try await sandbox.api("GET", "files/folders", token: token)
            #expect(root.result.map { $0["Name"] as? String } == ["Imports", "Reports"])
            #expect((root.object["Pagination"] as? [String: Int])?["TotalCount"] == 2)
            #expect(try await sandbox.api("GET", "files/folders?externalKey=\(Self.reports)", token: token).result.map { $0["ExternalKey"] as? String } == [Self.year])
            #expect((try await sandbox.api("GET", "files/folders/\(Self.year)", token: token).object["Result"] as? [String: Any])?["Name"] as? String == "2024")
            #expect(try await sandbox.api("GET", "files/folders/nope", token: token).status == 404)
            #expect(try await sandbox.api("GET", "files?externalKey=\(Self.year)", token: token).result.map { $0["Name"] as? String } == ["q1.csv"])
            #expect(try await sandbox.api("GET", "files", token: token).result.map { $0["Name"] as? String } == ["welcome.txt"])  // the root's own file
            #expect(try await sandbox.api("GET", "files/path?filePath=\(q("/Reports/2024/q1.csv"))", token: token).text == "Quarter,Orders\r\nQ1,120\r\n")
            #expect(try await sandbox.api("GET", "files/path?filePath=\(q("/Reports/q1.csv"))", token: token).status == 404)
            let info = try await sandbox.api("GET", "files/path/fileInfo?filePath=\(q("/Imports/new-products.csv"))", token: token)
            #expect((info.object["Result"] as? [String: Any])?["ContentType"] as? String == "text/csv")
            #expect(try await sandbox.api("DELETE", "files/path?filePath=\(q("/Reports/readme.txt"))", token: token).status == 204)
            #expect(try await sandbox.api("GET", "files?externalKey=\(Self.reports)", token: token).result.isEmpty)
            // Uploads into a folder that does not exist find nothing to put them in.
            let (type, body) = SandboxFilesTests.multipart("Files", [("x.csv", "1")])
            let missing = try await sandbox.send("POST", "/integrations/rest/v3/files?externalKey=nope", headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            #expect(missing.status == 404)
        }
    }

    @Test func v2ListsFoldersAndFilesTogether() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let listing = try await sandbox.send("GET", "/rest/v2/files?externalKey=\(Self.reports)", headers: [("Authorization", "Bearer " + token)])
            #expect(listing.result.map { $0["Name"] as? String } == ["2024", "readme.txt"])
            let v2 = try await sandbox.send("GET", "/rest/v2/applications", headers: [("Authorization", "Bearer " + token)])
            #expect(v2.result.first?["AppName"] as? String == "Order Desk")
            #expect(try await sandbox.send("GET", "/rest/v2/tasks", headers: [("Authorization", "Bearer " + token)]).result.count == 2)
            #expect(try await sandbox.send("GET", "/rest/v2/bridgeApplications", headers: [("Authorization", "Bearer " + token)]).status == 404)
        }
    }
}
