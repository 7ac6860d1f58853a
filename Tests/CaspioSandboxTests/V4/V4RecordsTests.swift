import Foundation
import Testing

/// Table records on v4: the envelope and its paging rules, clauses without `q.` and with
/// `N'…'` literals, records by PK_ID, PATCH partial with null clearing, and the same rows as v3.
@Suite struct V4RecordsTests {
    @Test func envelopePagingAndClauses() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let customers = try await sandbox.tableID("Customers", token: token)
            let records = "tables/\(customers)/records"
            let first = try await sandbox.v4("GET", records, token: token)
            #expect(first.data.count == 100 && first.pagination == ["totalCount": 250, "pageNumber": 1, "pageSize": 100] && first.object["Result"] == nil)
            let page = try await sandbox.v4("GET", records + "?pageNumber=2&pageSize=10&orderBy=PK_ID&limit=3", token: token)
            #expect(page.data.compactMap { $0["PK_ID"] as? Int } == Array(11...20) && page.pagination == ["totalCount": 250, "pageNumber": 2, "pageSize": 10])
            for bad in ["limit=5000", "limit=0", "pageSize=4", "pageNumber=0"] {
                let reply = try await sandbox.v4("GET", records + "?" + bad, token: token)
                #expect(reply.status == 400 && reply.code == "IncorrectQueryParameter", "\(bad)")
            }
            // q. names are v3's: refused with the v4 spelling as the remedy, never ignored.
            let v3Style = try await sandbox.v4("GET", records + "?q.where=\(q("State='CA'"))", token: token)
            #expect(v3Style.status == 400 && v3Style.code == "IncorrectQueryParameter" && v3Style.remediation?.contains("'where'") == true, "\(v3Style.text)")
            let unicode = try await sandbox.v4("GET", records + "?where=\(q("Name = N'Customer 007' OR Name = 'Customer 008'"))&select=PK_ID,Name&orderBy=PK_ID", token: token)
            #expect(unicode.data.compactMap { $0["PK_ID"] as? Int } == [7, 8] && unicode.data.first.map { Set($0.keys) } == ["PK_ID", "Name"], "\(unicode.text)")
            let grouped = try await sandbox.v4("GET", records + "?select=\(q("State, COUNT(PK_ID) AS N"))&groupBy=State&orderBy=State", token: token)
            #expect(grouped.data.map { $0["State"] as? String } == ["CA", "NY", "OR", "TX", "WA"] && grouped.data.allSatisfy { $0["N"] as? Int == 50 })
            #expect(grouped.pagination["totalCount"] == 5)
            let having = try await sandbox.v4("GET", records + "?select=\(q("State, COUNT(PK_ID) AS N"))&groupBy=\(q("State HAVING COUNT(PK_ID) > 50"))", token: token)
            #expect(having.status == 200 && having.data.isEmpty, "\(having.text)")
            let hidden = try await sandbox.v4("GET", records + "?where=\(q("1=1; DROP TABLE Orders"))", token: token)
            #expect(hidden.status == 400 && hidden.code == "SqlServerError" && (hidden.object["Message"] as? String)?.contains("where must be") == true)
        }
    }

    @Test func recordsByPKIDWithPartialPatch() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let records = "tables/\(try await sandbox.tableID("Customers", token: token))/records"
            #expect(try await sandbox.v4("GET", records + "/3", token: token).data.first?["Name"] as? String == "Customer 003")
            #expect(try await sandbox.v4("GET", records + "/9999", token: token).status == 404)
            #expect(try await sandbox.v4("GET", records + "/abc", token: token).status == 404)
            let patched = try await sandbox.v4("PATCH", records + "/1", json: ["Email": NSNull()], token: token)
            #expect(patched.status == 200 && patched.data.first?["Email"] is NSNull && patched.data.first?["Name"] as? String == "Customer 001", "\(patched.text)")
            let put = try await sandbox.v4("PUT", records + "/1", json: ["State": "NV"], token: token)
            #expect(put.data.first?["State"] as? String == "NV" && put.data.first?["Name"] as? String == "Customer 001")
            let wrong = try await sandbox.v4("PATCH", records + "/1", json: ["Name": true], token: token)
            #expect(wrong.status == 400 && wrong.code == "InvalidInputValue" && wrong.remediation != nil, "\(wrong.text)")
            #expect(try await sandbox.v4("PATCH", records + "/9999", json: ["State": "NV"], token: token).status == 404)
            let posted = try await sandbox.v4("POST", records, json: ["Name": "O'Brien", "State": "CA"], token: token)
            #expect(posted.status == 201 && posted.data.first?["PK_ID"] as? String == "251" && posted.headers["location"]?.hasSuffix("/records/251") == true, "\(posted.text)")
            let echoed = try await sandbox.v4("POST", records + "?echo=true", json: ["Name": "Echo"], token: token)
            #expect(echoed.data.first?["Name"] as? String == "Echo" && echoed.data.first?["PK_ID"] as? Int == 252)
            #expect(try await sandbox.v4("GET", records + "?where=\(q("Name = N'O''Brien'"))", token: token).data.count == 1)
            #expect(try await sandbox.v4("DELETE", records + "/2", token: token).status == 204)
            #expect(try await sandbox.v4("DELETE", records + "/2", token: token).status == 404)
        }
    }

    @Test func aRowWrittenOnOneVersionReadsOnTheOther() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let records = "tables/\(try await sandbox.tableID("Orders", token: token))/records"
            #expect(try await sandbox.api("POST", "tables/Orders/records", json: ["Customer_ID": 7, "Quantity": 3, "Shipped": false], token: token).status == 201)
            let read = try await sandbox.v4("GET", records + "/501", token: token).data.first
            #expect(read?["Customer_ID"] as? Int == 7 && read?["Shipped"] as? Bool == false)
            _ = try await sandbox.v4("PATCH", records + "/501", json: ["Quantity": 9], token: token)
            #expect(try await sandbox.api("GET", "tables/Orders/records?q.where=PK_ID=501", token: token).result.first?["Quantity"] as? Int == 9)
            _ = try await sandbox.v4("POST", records, json: ["Customer_ID": 8, "Quantity": 1, "Shipped": true], token: token)
            #expect(try await sandbox.api("GET", "tables/Orders/records?q.where=PK_ID=502", token: token).result.first?["Shipped"] as? Bool == true)
        }
    }

    @Test func hardEdgesHoldOnV4() async throws {
        try await SandboxHarness.with({ $0.shuffleUnordered = true; $0.rateLimit = .init(requests: 8, window: 300) }) { sandbox in
            let token = try await sandbox.accessToken()
            let records = "tables/\(try await sandbox.tableID("Customers", token: token))/records"
            let a = try await sandbox.v4("GET", records + "?pageSize=50&select=PK_ID", token: token).data.compactMap { $0["PK_ID"] as? Int }
            let b = try await sandbox.v4("GET", records + "?pageSize=50&select=PK_ID", token: token).data.compactMap { $0["PK_ID"] as? Int }
            #expect(a.count == 50 && a != b && a != Array(1...50))
            #expect(try await sandbox.v4("GET", records + "?pageSize=50&select=PK_ID&orderBy=PK_ID", token: token).data.compactMap { $0["PK_ID"] as? Int } == Array(1...50))
            let long = try await sandbox.v4("GET", records + "?where=" + q(String(repeating: "1=1 AND ", count: 300) + "1=1"), token: token)
            #expect(long.status == 414 && long.object["Hint"] != nil)
            let date = try await sandbox.v4("POST", "tables", json: ["name": "Days", "fields": [["name": "Day", "dataType": "DATE/TIME"]]], token: token)
            let days = "tables/\(date.data.first?["tableId"] as? String ?? "")/records"
            #expect(try await sandbox.v4("POST", days, json: ["Day": "01/05/2024"], token: token).status == 400)
            var statuses: [Int] = []
            for _ in 1...3 { statuses.append(try await sandbox.v4("GET", "me", token: token).status) }
            #expect(statuses.last == 429, "\(statuses)")
        }
    }

    /// T-SQL's checksums (V4Choices.checksumFunctions): a count with CHECKSUM_AGG over
    /// BINARY_CHECKSUM of the rows, the same whatever the rows' order, different once a value
    /// changes, NULL over no rows; refused (400) when the setting says Caspio refuses them.
    @Test func checksumsOfRows() async throws {
        let select = q("COUNT(*) AS n, CHECKSUM_AGG(BINARY_CHECKSUM(PK_ID, Name, State, Email)) AS c")
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let records = "tables/\(try await sandbox.tableID("Customers", token: token))/records"
            func checksum(_ extra: String = "") async throws -> (Int?, Int?) {
                let reply = try await sandbox.v4("GET", records + "?select=\(select)" + extra, token: token)
                #expect(reply.status == 200, "\(reply.text)")
                return (reply.data.first?["n"] as? Int, reply.data.first?["c"] as? Int)
            }
            let before = try await checksum()
            #expect(before.0 == 250 && before.1 != nil)
            #expect(try await checksum() == before)
            let half = try await checksum("&where=\(q("PK_ID <= 125"))")
            let otherHalf = try await checksum("&where=\(q("PK_ID > 125"))")
            #expect(half.1.flatMap { a in otherHalf.1.map { a ^ $0 } } == before.1)
            let none = try await sandbox.v4("GET", records + "?select=\(select)&where=\(q("PK_ID < 0"))", token: token)
            #expect(none.data.first?["n"] as? Int == 0 && none.data.first?["c"] is NSNull, "\(none.text)")
            #expect(try await sandbox.v4("PATCH", records + "/9", json: ["State": "NV"], token: token).status == 200)
            let after = try await checksum()
            #expect(after.0 == 250 && after.1 != before.1)
        }
        try await SandboxHarness.with({ $0.checksumFunctions = false }) { sandbox in
            let token = try await sandbox.accessToken()
            let records = "tables/\(try await sandbox.tableID("Customers", token: token))/records"
            let refused = try await sandbox.v4("GET", records + "?select=\(select)", token: token)
            #expect(refused.status == 400 && refused.code == "IncorrectQueryParameter", "\(refused.text)")
        }
    }
}
