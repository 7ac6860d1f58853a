import Foundation
import Testing

/// File assets on v4: the demo's file library by fileId and by path, uploads, searches, folders.
@Suite struct V4FilesTests {
    static func id(_ n: Int) -> String { ConformanceWalk.id(n) }

    func upload(_ sandbox: SandboxHarness, _ method: String, _ path: String, field: String, _ files: [(String, String)], token: String) async throws -> SandboxHarness.Reply {
        let (type, body) = SandboxFilesTests.multipart(field, files)
        return try await sandbox.send(method, "/integrations/rest/v4/" + path, headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
    }

    @Test func filesByIdAndByPath() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let listed = try await sandbox.v4("GET", "fileAssets/files?folderId=\(Self.id(102))", token: token)
            #expect(listed.data.map { $0["fileId"] as? String } == [Self.id(112)] && listed.data.first?["fullFilePath"] as? String == "/Reports/2024/q1.csv")
            let root = try await sandbox.v4("GET", "fileAssets/files", token: token)
            #expect(root.pagination["totalCount"] == 1 && root.data.first?["fileId"] as? String == Self.id(114) && root.data.first?["fullFilePath"] as? String == "/welcome.txt", "\(root.text)")
            let bytes = try await sandbox.v4("GET", "fileAssets/files/\(Self.id(113))", token: token)
            #expect(bytes.status == 200 && bytes.text.hasPrefix("Name,Price") && bytes.headers["content-type"] == "text/csv")
            #expect(try await sandbox.v4("GET", "fileAssets/files/\(Self.id(111))/fileInfo", token: token).data.first?["name"] as? String == "readme.txt")
            let byPath = try await sandbox.v4("GET", "fileAssets/files/path/fileInfo?filePath=\(q("/Reports/readme.txt"))", token: token)
            #expect(byPath.data.first?["fileId"] as? String == Self.id(111))
            #expect(try await sandbox.v4("GET", "fileAssets/files/path?filePath=\(q("/reports/README.txt"))", token: token).text == "Exports land here.")
            #expect(try await sandbox.v4("GET", "fileAssets/files/path", token: token).status == 400)
            let found = try await sandbox.v4("GET", "fileAssets/files/search?name=CSV", token: token)
            #expect(found.data.map { $0["name"] as? String } == ["new-products.csv", "q1.csv"])
            let posted = try await upload(sandbox, "POST", "fileAssets/files/bulk?folderId=\(Self.id(103))", field: "Files", [("a.csv", "1"), ("b.csv", "2")], token: token)
            #expect(posted.status == 201 && posted.data.map { $0["fullFilePath"] as? String } == ["/Imports/a.csv", "/Imports/b.csv"], "\(posted.text)")
            #expect(try await upload(sandbox, "POST", "fileAssets/files/bulk?folderId=\(Self.id(103))", field: "Files", [("A.csv", "x")], token: token).status == 409)
            let put = try await upload(sandbox, "PUT", "fileAssets/files?folderId=\(Self.id(103))", field: "File", [("a.csv", "replaced")], token: token)
            #expect(put.status == 200 && put.data.first?["fileId"] as? String == posted.data.first?["fileId"] as? String)
            #expect(try await sandbox.v4("GET", "fileAssets/files/path?filePath=\(q("/Imports/a.csv"))", token: token).text == "replaced")
            #expect(try await sandbox.v4("DELETE", "fileAssets/files/path?filePath=\(q("/Imports/a.csv"))", token: token).status == 204)
            #expect(try await sandbox.v4("DELETE", "fileAssets/files/\(posted.data.last?["fileId"] as? String ?? "")", token: token).status == 204)
            #expect(try await sandbox.v4("GET", "fileAssets/files?folderId=\(Self.id(103))", token: token).pagination["totalCount"] == 1)
            // v3 sees the same library, by the same keys.
            #expect(try await sandbox.api("GET", "files/\(Self.id(113))/fileInfo", token: token).object["Result"] != nil)
        }
    }

    @Test func foldersByIdSearchedAndNeverDeleted() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let root = try await sandbox.v4("GET", "fileAssets/folders", token: token)
            #expect(root.data.map { $0["name"] as? String } == ["Imports", "Reports"] && root.data.first?["parentFolderId"] is NSNull)
            let year = try await sandbox.v4("GET", "fileAssets/folders/\(Self.id(102))", token: token).data.first
            #expect(year?["fullFolderPath"] as? String == "/Reports/2024" && year?["parentFolderId"] as? String == Self.id(101))
            #expect(try await sandbox.v4("GET", "fileAssets/folders?parentFolderId=\(Self.id(101))", token: token).data.map { $0["name"] as? String } == ["2024"])
            let made = try await sandbox.v4("POST", "fileAssets/folders", json: ["name": "2025", "parentFolderId": Self.id(101)], token: token)
            #expect(made.status == 201 && made.data.first?["fullFolderPath"] as? String == "/Reports/2025", "\(made.text)")
            #expect(try await sandbox.v4("POST", "fileAssets/folders", json: ["name": "2025", "parentFolderId": Self.id(101)], token: token).status == 409)
            #expect(try await sandbox.v4("GET", "fileAssets/folders/search?name=20", token: token).data.count == 2)
            let delete = try await sandbox.v4("DELETE", "fileAssets/folders/\(Self.id(103))", token: token)
            #expect(delete.status == 405 && delete.code == "MethodNotAllowed")
        }
    }
}
