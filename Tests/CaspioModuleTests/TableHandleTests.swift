import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// caspio.table / caspio.view handles: rows, all, first, count, insert, update, delete, fields.
/// Paging through them: PagerTests; refused writes and bad arguments: UsageTests.
@Suite struct TableHandleTests {
    @Test func allFirstAndCount() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1200)
        let result = try await runLua("""
            local t = caspio.table("T")
            print(tostring(t), tostring(caspio.view("V")))
            local all = t:all()
            print(#all, caspio.json.is_array(all), all[1200].N)
            local first = t:first({where = {N = 7}})
            print(first.Name, t:first({where = {N = 99999}}))
            print(t:count(), t:count({N = {1, 2, 3}}), t:count("N=5"))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            caspio.table("T")\tcaspio.view("V")
            1200\ttrue\t1200
            row 7\tnil
            1200\t3\t1

            """)
        let queries = fake.resourceRequests.map(\.query)
        #expect(queries.count == 2 + 2 + 3)
        #expect(queries[2] == ["q.where": "N=7", "q.orderBy": "PK_ID", "q.pageNumber": "1", "q.pageSize": "5"])
        #expect(queries[4] == ["q.getPaginationInfo": "true", "q.pageNumber": "1", "q.pageSize": "5"])
        #expect(queries[5]["q.where"] == "N IN (1, 2, 3)")
        #expect(queries[6]["q.where"] == "N=5")
    }

    @Test func insertOneOrManyReturnsTheStoredRows() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 2)
        let result = try await runLua("""
            local t = caspio.table("T")
            local one = t:insert({Name = "Ada", N = 10})
            print(math.type(one.PK_ID), one.PK_ID, one.Name)
            local many = t:insert({{Name = "Bob"}, {Name = "Cy", N = 12}})
            print(#many, many[1].PK_ID, many[2].PK_ID, many[2].N)
            local marked = t:insert(caspio.json.array({{Name = "Di"}}))
            print(#marked, marked[1].Name)
            local none = t:insert({})
            print(caspio.json.encode(none))
            local s = caspio.stats()
            print(s.rows_written, s.requests_by_method.POST)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "integer\t3\tAda\n2\t4\t5\t12\n1\tDi\n[]\n4\t4\n")
        let posts = fake.resourceRequests.filter { $0.method == "POST" }
        #expect(posts.count == 4)
        for post in posts {
            #expect(post.query == ["response": "rows"])
            #expect(post.header("Content-Type") == "application/json")
        }
        #expect(posts[0].bodyText == #"{"N":10,"Name":"Ada"}"# || posts[0].bodyText == #"{"Name":"Ada","N":10}"#)
        #expect(try fake.rows("T").count == 6)
    }

    @Test func updateAndDeleteReturnRecordsAffected() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.createTable("T", fields: [("PK_ID", "AUTONUMBER"), ("Name", "STRING"), ("N", "INTEGER"), ("Flag", "YES/NO")])
        try fake.seed("T", count: 10)
        let result = try await runLua("""
            local t = caspio.table("T")
            print(t:update({N = {1, 2, 3}}, {Name = "changed"}))
            print(t:count({Name = "changed"}))
            print(t:update({N = 999}, {Name = "nobody"}))
            print(t:delete({Name = "changed"}))
            print(t:delete("N=4"))
            print(t:delete({N = 4}))
            print(t:update(nil, {Flag = true}, {all = true}))
            print(t:delete(nil, {all = true}), t:count())
            local s = caspio.stats()
            print(s.rows_written, s.requests_by_method.PUT, s.requests_by_method.DELETE)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "3\n3\n0\n3\n1\n0\n6\n6\t0\n19\t3\t4\n")
        let writes = fake.resourceRequests.filter { $0.method != "GET" }
        #expect(writes.map(\.method) == ["PUT", "PUT", "DELETE", "DELETE", "DELETE", "PUT", "DELETE"])
        #expect(writes.map { $0.query["q.where"] ?? "" } == ["N IN (1, 2, 3)", "N=999", "Name='changed'", "N=4", "N=4", "1=1", "1=1"])
        #expect(writes[0].header("Content-Type") == "application/json")
        #expect(writes[0].bodyText == #"{"Name":"changed"}"#)
    }

    @Test func fieldsAndUnknownTables() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1)
        let result = try await runLua("""
            local t = caspio.table("T")
            local names = {}
            for _, f in ipairs(t:fields()) do names[#names + 1] = f.Name .. ":" .. f.Type end
            print(table.concat(names, " "))
            local missing = caspio.table("Missing")
            for _, call in ipairs({
              function() return missing:all() end,
              function() return missing:count() end,
              function() return missing:insert({A = 1}) end,
              function() return missing:update({A = 1}, {A = 2}) end,
              function() return missing:delete({A = 1}) end,
              function() return missing:fields() end,
            }) do
              local ok, err = pcall(call)
              print(ok, getmetatable(err) and getmetatable(err).__name, err.kind, err.status, err.code, err.method, err.request_id ~= nil)
            end
            missing:first()
            """, against: fake)
        #expect(result.status == 5, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "PK_ID:AUTONUMBER Name:STRING N:INTEGER")
        #expect(Array(lines.dropFirst()) == [
            "false\tcaspio.error\thttp\t404\tObjectNotFound\tGET\ttrue",
            "false\tcaspio.error\thttp\t404\tObjectNotFound\tGET\ttrue",
            "false\tcaspio.error\thttp\t404\tObjectNotFound\tPOST\ttrue",
            "false\tcaspio.error\thttp\t404\tObjectNotFound\tPUT\ttrue",
            "false\tcaspio.error\thttp\t404\tObjectNotFound\tDELETE\ttrue",
            "false\tcaspio.error\thttp\t404\tObjectNotFound\tGET\ttrue",
        ])
        #expect(result.stderr.hasPrefix("caspio: HTTP 404 ObjectNotFound: Cannot find table 'Missing' (no table 'Missing'; the tables are: T) (GET http://127.0.0.1:"))
        #expect(fake.resourceRequests.last?.path.hasSuffix("/tables/Missing/records") == true)
    }

    @Test func viewsReadTheirRecords() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 3)
        try fake.createView("V", of: "T", fields: ["N"])
        let lua = try InProcessLua(fake)
        let v = "local v = caspio.view('V'); "
        #expect(await lua.values(v + "return #v:all(), v:count(), v:first().T_N") == [3, 3, 1])
        #expect(fake.resourceRequests.allSatisfy { $0.method == "GET" && $0.path.contains("/views/V/records") })
    }

    @Test func aCountNeedsPaginationInTheAnswer() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.script([.json(200, ["Result": []])])
        let lua = try InProcessLua(fake)
        let error = await lua.error(#"return caspio.table("T"):count()"#)
        #expect(error?.value["kind"] == "http")
        #expect(error?.value["status"] == 200)
        #expect(error?.value["message"] == "the answer has no Pagination.TotalCount")
    }
}
