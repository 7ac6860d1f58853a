import Foundation
import Testing

/// Files per openapi-v3.json: multipart upload, listing, info, download, replace, delete.
@Suite struct SandboxFilesTests {
    static func multipart(_ field: String, _ files: [(String, String)], boundary: String = "sandbox-boundary-7f3a") -> (String, [UInt8]) {
        multipart(parts: files.map { (field, $0.0, $0.1) }, boundary: boundary)
    }

    /// Files each in a form field of its own: (field, filename, content).
    static func multipart(parts: [(String, String, String)], boundary: String = "sandbox-boundary-7f3a") -> (String, [UInt8]) {
        var body = ""
        for (field, name, content) in parts {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(name)\"\r\nContent-Type: text/csv\r\n\r\n\(content)\r\n"
        }
        body += "--\(boundary)--\r\n"
        return ("multipart/form-data; boundary=\(boundary)", Array(body.utf8))
    }

    func upload(_ sandbox: SandboxHarness, _ token: String, method: String = "POST", field: String = "Files", query: String = "", _ files: [(String, String)]) async throws -> SandboxHarness.Reply {
        let (type, body) = Self.multipart(field, files)
        return try await sandbox.send(method, "/integrations/rest/v3/files" + query, headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
    }

    @Test func uploadListDownloadReplaceDelete() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let posted = try await upload(sandbox, token, [("a.csv", "x,y\r\n1,2"), ("b.csv", "bee")])
            #expect(posted.status == 201)
            #expect(posted.result.map { $0["Name"] as? String } == ["a.csv", "b.csv"])
            let key = posted.result.first?["ExternalKey"] as? String ?? ""
            #expect(UUID(uuidString: key) != nil)
            let clash = try await upload(sandbox, token, [("a.csv", "again")])
            #expect(clash.status == 409)

            let list = try await sandbox.api("GET", "files", token: token)
            #expect(list.result.map { $0["Name"] as? String } == ["a.csv", "b.csv", "welcome.txt"])  // the demo's root file too
            #expect(list.result.first?["Size"] as? Int == 8 && list.result.first?["ContentType"] as? String == "text/csv")
            #expect(try await sandbox.api("GET", "files?externalKey=other-folder", token: token).result.isEmpty)

            let info = try await sandbox.api("GET", "files/\(key)/fileInfo", token: token)
            #expect((info.object["Result"] as? [String: Any])?["Name"] as? String == "a.csv")
            let download = try await sandbox.api("GET", "files/\(key)", token: token)
            #expect(download.status == 200 && download.text == "x,y\r\n1,2" && download.headers["content-type"] == "text/csv")
            let byPath = try await sandbox.api("GET", "files/path?filePath=%2Fb.csv", token: token)
            #expect(byPath.text == "bee")

            let replaced = try await upload(sandbox, token, method: "PUT", field: "File", [("a.csv", "new")])
            #expect(replaced.status == 200 && (replaced.object["Result"] as? [String: Any])?["ExternalKey"] as? String == key)
            #expect(try await sandbox.api("GET", "files/\(key)", token: token).text == "new")
            let created = try await upload(sandbox, token, method: "PUT", field: "File", [("c.csv", "sea")])
            #expect(created.status == 201)

            #expect(try await sandbox.api("DELETE", "files/\(key)", token: token).status == 204)
            let gone = try await sandbox.api("GET", "files/\(key)", token: token)
            #expect(gone.status == 404 && gone.object["Code"] as? String == "ObjectNotFound")
            #expect(try await upload(sandbox, token, field: "Wrong", [("d.csv", "")]).status == 400)
        }
    }

    @Test func tooLargeIs413() async throws {
        try await SandboxHarness.with({ $0.maxUploadBytes = 10 }) { sandbox in
            let token = try await sandbox.accessToken()
            let reply = try await upload(sandbox, token, [("big.bin", String(repeating: "z", count: 11))])
            #expect(reply.status == 413 && reply.headers["x-caspio-request-id"] != nil)
            // Far above the limit: refused before the body is read whole.
            let huge = try await upload(sandbox, token, [("huge.bin", String(repeating: "z", count: 200_000))])
            #expect(huge.status == 413)
            #expect(huge.object["RequestId"] as? String == huge.headers["x-caspio-request-id"])
        }
    }
}
