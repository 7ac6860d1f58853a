import CaspioTestSupport
import Foundation
import Testing

/// The sandbox's answers for records, tables, fields and files validate against the schemas
/// of Caspio's OpenAPI document (`../shared/caspio/openapi-v3.json`, or $CASPIO_OPENAPI):
/// the test records real answers and hands them to scripts/conformance.py.
@Suite struct ConformanceTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let specification: String? = {
        let candidates: [String?] = [
            ProcessInfo.processInfo.environment["CASPIO_OPENAPI"],
            packageRoot.deletingLastPathComponent().appendingPathComponent("shared/caspio/openapi-v3.json").path,
        ]
        return candidates.compactMap { $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }()

    /// One answer, with the operation it answers as the document names it.
    struct Recorded {
        var path: String
        var method: String
        var reply: SandboxHarness.Reply

        var json: [String: Any] {
            var body: Any = NSNull()
            if !reply.body.isEmpty, reply.headers["content-type"]?.hasPrefix("application/json") == true { body = reply.json ?? NSNull() }
            return ["path": path, "method": method, "status": reply.status, "body": body, "empty": reply.body.isEmpty]
        }
    }

    // Without the document there is nothing to validate against (e.g. a clone without ../shared).
    @Test(.enabled(if: specification != nil, "openapi-v3.json not found: set CASPIO_OPENAPI"))
    func answersMatchTheOpenAPIDocument() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            var recorded: [Recorded] = []
            func record(_ method: String, _ template: String, _ path: String, json: Any? = nil, token bearer: String? = nil) async throws {
                let reply = try await sandbox.api(method, path, json: json, token: bearer ?? token)
                recorded.append(Recorded(path: "/v3/" + template, method: method.lowercased(), reply: reply))
            }
            let records = "tables/{tableName}/records"
            try await record("GET", "tables", "tables")
            try await record("GET", "tables", "tables", token: "expired")  // 401
            try await record("POST", "tables", "tables", json: ["Name": "Conf", "Fields": [["Name": "Title", "Type": "STRING"], ["Name": "Score", "Type": "NUMBER"], ["Name": "Ok", "Type": "YES/NO"]]])
            try await record("POST", "tables", "tables", json: ["Name": "Conf", "Fields": []])  // 400
            try await record("GET", "tables/{tableName}/fields", "tables/Conf/fields")
            try await record("GET", "tables/{tableName}/fields", "tables/Nope/fields")  // 404
            try await record("POST", "tables/{tableName}/fields", "tables/Conf/fields", json: ["Name": "Rank", "Type": "INTEGER"])
            try await record("POST", records, "tables/Conf/records", json: ["Title": "a", "Score": 1.5, "Ok": true, "Rank": 2])
            try await record("POST", records, "tables/Conf/records?response=rows", json: ["Title": "b", "Score": NSNull()])
            try await record("GET", records, "tables/Conf/records")
            try await record("GET", records, "tables/Customers/records?q.select=PK_ID,Name&q.where=\(q("State='CA'"))&q.orderBy=Name&q.limit=3")
            try await record("GET", records, "tables/Customers/records?q.pageNumber=2&q.pageSize=5&q.getPaginationInfo=true")
            try await record("GET", records, "tables/Customers/records?q.select=\(q("State, COUNT(PK_ID) AS N"))&q.groupBy=State")
            try await record("GET", records, "tables/Customers/records?q.pageSize=3")  // 400
            try await record("GET", records, "tables/Customers/records?q.where=\(q("1=1; DROP TABLE Orders"))")  // 400
            try await record("GET", records, "tables/Nope/records")  // 404
            try await record("PUT", records, "tables/Conf/records?q.where=\(q("Title='a'"))", json: ["Score": 3])
            try await record("PUT", records, "tables/Conf/records?response=rows&q.where=\(q("Title='b'"))", json: ["Score": 4])
            try await record("DELETE", records, "tables/Conf/records?q.where=\(q("Score > 3"))")
            try await record("DELETE", records, "tables/Conf/records?q.where=\(q("Score > 100"))")

            let (type, body) = SandboxFilesTests.multipart("Files", [("c.csv", "1,2")])
            let upload = try await sandbox.send("POST", "/integrations/rest/v3/files", headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            recorded.append(Recorded(path: "/v3/files", method: "post", reply: upload))
            let key = upload.result.first?["ExternalKey"] as? String ?? ""
            let (putType, putBody) = SandboxFilesTests.multipart("File", [("c.csv", "3,4")])
            let put = try await sandbox.send("PUT", "/integrations/rest/v3/files", headers: [("Authorization", "Bearer " + token), ("Content-Type", putType)], body: putBody)
            recorded.append(Recorded(path: "/v3/files", method: "put", reply: put))
            try await record("GET", "files", "files")
            try await record("GET", "files/{externalKey}/fileInfo", "files/\(key)/fileInfo")
            try await record("GET", "files/{externalKey}", "files/\(key)")
            try await record("DELETE", "files/{externalKey}", "files/\(key)")
            try await record("GET", "files/{externalKey}", "files/\(key)")  // 404

            try await Self.validate(recorded)
        }
    }

    /// Hands the answers to scripts/conformance.py; `all` also requires every operation answered.
    /// `document` is another OpenAPI document (v4's, the sandbox's own) with `operations` operations.
    static func validate(_ recorded: [Recorded], all: Bool = false, document: String? = nil, operations: Int = 70) async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("recorded.json")
        try JSONSerialization.data(withJSONObject: recorded.map(\.json)).write(to: file)
        let script = packageRoot.appendingPathComponent("scripts/conformance.py").path
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", script] + (all ? ["--all"] : []) + [document ?? specification!, file.path])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\(recorded.count) answers checked, 0 problems"), "\(result.stdout)")
        if all { #expect(result.stdout.contains("\(operations) of \(operations) operations answered successfully"), "\(result.stdout)") }
    }
}
