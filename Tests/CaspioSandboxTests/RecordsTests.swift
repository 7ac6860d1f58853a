import Foundation
import Testing

/// Records with Caspio's semantics (API-NOTES.md, "Records") over the demo data.
@Suite struct RecordsTests {
    @Test func demoDataIsDeterministic() async throws {
        try await SandboxHarness.with { sandbox in
            let tables = try await sandbox.api("GET", "tables").object["Result"] as? [String]
            #expect(tables == ["Customers", "Orders", "Products"])
            let first = try await sandbox.api("GET", "tables/Customers/records?q.limit=2").result
            #expect(first.count == 2)
            #expect(first.first?["PK_ID"] as? Int == 1 && first.first?["Name"] as? String == "Customer 001")
            #expect(first.first?["Email"] as? String == "Customer001@Example.COM" && first.first?["State"] as? String == "CA")
            let count = try await sandbox.api("GET", "tables/Orders/records?q.pageSize=5&q.getPaginationInfo=true").object["Pagination"] as? [String: Int]
            #expect(count == ["TotalCount": 500, "PageNumber": 1, "PageSize": 5])
        }
    }

    @Test func whereSelectOrderGroupAndLimits() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let like = try await sandbox.api("GET", "tables/Customers/records?q.where=\(q("Name LIKE 'Customer 00%' AND PK_ID > 5"))&q.select=PK_ID,Name&q.orderBy=\(q("PK_ID DESC"))", token: token)
            #expect(like.status == 200)
            #expect(like.result.map { $0["PK_ID"] as? Int } == [9, 8, 7, 6])
            #expect(like.result.first.map { Set($0.keys) } == ["PK_ID", "Name"])
            // Text compares without regard to case, as in Caspio's SQL Server.
            let ca = try await sandbox.api("GET", "tables/Customers/records?q.where=\(q("State='ca'"))&q.limit=1000", token: token)
            #expect(ca.result.count == 50)
            let grouped = try await sandbox.api("GET", "tables/Customers/records?q.select=\(q("State, COUNT(PK_ID) AS N"))&q.groupBy=State&q.orderBy=State", token: token)
            #expect(grouped.result.map { $0["State"] as? String } == ["CA", "NY", "OR", "TX", "WA"])
            #expect(grouped.result.allSatisfy { $0["N"] as? Int == 50 })
            #expect(try await sandbox.api("GET", "tables/Customers/records", token: token).result.count == 100)
            #expect(try await sandbox.api("GET", "tables/Orders/records?q.limit=5000", token: token).result.count == 500)
            let page = try await sandbox.api("GET", "tables/Customers/records?q.pageNumber=3&q.pageSize=10&q.limit=1", token: token)
            #expect(page.result.map { $0["PK_ID"] as? Int } == Array(21...30).map { $0 })
            for size in ["4", "1001", "x"] {
                let bad = try await sandbox.api("GET", "tables/Customers/records?q.pageSize=\(size)", token: token)
                #expect(bad.status == 400 && bad.object["Code"] as? String == "IncorrectQueryParameter", "\(size)")
            }
            let missing = try await sandbox.api("GET", "tables/Nope/records", token: token)
            #expect(missing.status == 404 && missing.object["Code"] as? String == "ObjectNotFound")
        }
    }

    @Test func aClauseIsOneExpressionNeverASecondStatement() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let attacks = [
                "1=1; DROP TABLE Customers", "1=1 -- comment", "1=1 /* x */", "1=1) ; DELETE FROM Orders WHERE (1=1",
                "Name = 'x", "PK_ID >", "1=1) UNION SELECT name, type, tbl, ord FROM __sandbox_fields WHERE (1=1",
            ]
            for clause in attacks {
                let reply = try await sandbox.api("GET", "tables/Customers/records?q.where=\(q(clause))", token: token)
                #expect(reply.status == 400 && reply.object["Code"] as? String == "SqlServerError", "\(clause): \(reply.text)")
                let delete = try await sandbox.api("DELETE", "tables/Customers/records?q.where=\(q(clause))", token: token, contentType: "application/json")
                #expect(delete.status == 400, "\(clause)")
            }
            // One expression, but reading the sandbox's bookkeeping or changing settings: refused.
            for clause in ["PK_ID IN (SELECT ord FROM __sandbox_fields)", "EXISTS (SELECT 1 FROM sqlite_master)", "load_extension('x') = 1"] {
                let reply = try await sandbox.api("GET", "tables/Customers/records?q.where=\(q(clause))", token: token)
                #expect(reply.status == 400 && reply.object["Code"] as? String == "SqlServerError", "\(clause): \(reply.text)")
            }
            // Other tables of the account may be read, as in Caspio's SQL.
            let subquery = try await sandbox.api("GET", "tables/Customers/records?q.where=\(q("PK_ID IN (SELECT Customer_ID FROM Orders WHERE Quantity = 7)"))&q.limit=1000", token: token)
            #expect(subquery.status == 200 && !subquery.result.isEmpty)
            let semicolonInLiteral = try await sandbox.api("GET", "tables/Customers/records?q.where=\(q("Name = 'a;b -- c'"))", token: token)
            #expect(semicolonInLiteral.status == 200 && semicolonInLiteral.result.isEmpty)
            let select = try await sandbox.api("GET", "tables/Customers/records?q.select=\(q("PK_ID FROM Customers; DROP TABLE Orders"))", token: token)
            #expect(select.status == 400)
            let tables = try await sandbox.api("GET", "tables", token: token).object["Result"] as? [String]
            #expect(tables == ["Customers", "Orders", "Products"])
            #expect(try await sandbox.api("GET", "tables/Customers/records?q.pageSize=5&q.getPaginationInfo=true", token: token)
                .object["Pagination"].flatMap { ($0 as? [String: Int])?["TotalCount"] } == 250)
        }
    }

    @Test func insertUpdateDelete() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let plain = try await sandbox.api("POST", "tables/Customers/records", json: ["Name": "Ada", "State": "CA"], token: token)
            #expect(plain.status == 201 && plain.body.isEmpty)
            let rows = try await sandbox.api("POST", "tables/Customers/records?response=rows", json: ["Name": "Kate O'Neil", "State": "NY"], token: token)
            #expect(rows.status == 201)
            #expect(rows.result.first?["PK_ID"] as? Int == 252 && rows.result.first?["Email"] is NSNull)
            let unsupported = try await sandbox.api("POST", "tables/Customers/records", json: ["Name": "x"], token: token, contentType: "text/plain")
            #expect(unsupported.status == 415)
            let unknownField = try await sandbox.api("POST", "tables/Customers/records", json: ["Nope": 1], token: token)
            #expect(unknownField.status == 400 && unknownField.object["Code"] as? String == "IncorrectBodyParameter")
            let setID = try await sandbox.api("POST", "tables/Customers/records", json: ["PK_ID": 1], token: token)
            #expect(setID.status == 400)

            let noWhere = try await sandbox.api("PUT", "tables/Customers/records", json: ["State": "WA"], token: token)
            #expect(noWhere.status == 400 && noWhere.object["Code"] as? String == "IncorrectQueryParameter")
            let update = try await sandbox.api("PUT", "tables/Customers/records?response=rows&q.where=\(q("Name='Kate O''Neil' OR Name='Ada'"))", json: ["State": "WA"], token: token)
            #expect(update.object["RecordsAffected"] as? Int == 2)
            #expect(update.result.map { $0["State"] as? String } == ["WA", "WA"])

            #expect(try await sandbox.api("DELETE", "tables/Customers/records", token: token).status == 400)
            let delete = try await sandbox.api("DELETE", "tables/Customers/records?q.where=\(q("State='WA' AND PK_ID > 250"))", token: token)
            #expect(delete.status == 200 && delete.object["RecordsAffected"] as? Int == 2)
            let none = try await sandbox.api("DELETE", "tables/Customers/records?q.where=\(q("PK_ID > 250"))", token: token)
            #expect(none.status == 200 && none.object["RecordsAffected"] as? Int == 0)
            // The v2 prefix serves the same data.
            let v2 = try await sandbox.send("GET", "/rest/v2/tables/Customers/records?q.pageSize=5&q.getPaginationInfo=true", headers: [("Authorization", "Bearer " + token)])
            #expect((v2.object["Pagination"] as? [String: Int])?["TotalCount"] == 250)
        }
    }

    @Test func tablesAndFields() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let create = try await sandbox.api("POST", "tables", json: ["Name": "Notes", "Fields": [["Name": "Title", "Type": "STRING"], ["Name": "Done", "Type": "YES/NO"]]], token: token)
            #expect(create.status == 201)
            #expect(try await sandbox.api("POST", "tables", json: ["Name": "Notes", "Fields": []], token: token).status == 400)
            #expect(try await sandbox.api("POST", "tables", json: ["Name": "Bad\"Name", "Fields": []], token: token).status == 400)
            #expect(try await sandbox.api("POST", "tables/Notes/fields", json: ["Name": "Rank", "Type": "INTEGER"], token: token).status == 201)
            #expect(try await sandbox.api("POST", "tables/Notes/fields", json: ["Name": "x y", "Type": "INTEGER"], token: token).status == 400)
            let fields = try await sandbox.api("GET", "tables/Notes/fields", token: token).result
            #expect(fields.map { $0["Name"] as? String } == ["PK_ID", "Title", "Done", "Rank"])
            #expect(fields.map { $0["Type"] as? String } == ["AUTONUMBER", "STRING", "YES/NO", "INTEGER"])
            _ = try await sandbox.api("POST", "tables/Notes/records", json: ["Title": "a", "Done": true, "Rank": 3], token: token)
            let row = try await sandbox.api("GET", "tables/Notes/records", token: token).result.first
            #expect(row?["Done"] as? Bool == true && row?["Rank"] as? Int == 3 && row?["PK_ID"] as? Int == 1)
        }
    }

    @Test func seedFileAndDataFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sandbox-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let seed = directory.appendingPathComponent("seed.json")
        try Data(#"{"Tables":[{"Name":"Pets","Fields":[{"Name":"Name","Type":"STRING"},{"Name":"Age","Type":"NUMBER"}],"Rows":[{"Name":"Rex","Age":3},{"Name":"Tom","Age":1.5}]}]}"#.utf8).write(to: seed)
        let data = directory.appendingPathComponent("data.sqlite").path
        try await SandboxHarness.with({ $0.seedPath = seed.path; $0.dataPath = data }) { (first: SandboxHarness) async throws in
            let pets = try await first.api("GET", "tables/Pets/records?q.orderBy=Age").result
            #expect(pets.map { $0["Name"] as? String } == ["Tom", "Rex"])
            #expect(try await first.api("GET", "tables").object["Result"] as? [String] == ["Pets"])
            _ = try await first.api("POST", "tables/Pets/records", json: ["Name": "Kit"])
        }
        // The file keeps the data, and a database with tables gets no demo data on top.
        try await SandboxHarness.with({ $0.dataPath = data }) { (second: SandboxHarness) async throws in
            #expect(try await second.api("GET", "tables/Pets/records").result.count == 3)
            #expect(try await second.api("GET", "tables").object["Result"] as? [String] == ["Pets"])
        }
    }
}
