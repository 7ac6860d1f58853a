import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// t:upsert's reads (IN batches under the URI limit, or the whole table when cheaper) and
/// writes (only what changed), t:insert's concurrency, and caspio.inspect/print_table.
@Suite struct UpsertTests {
    @Test func looksUpInBatchesUnderTheURILimitAndWritesOnlyWhatChanged() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1200)
        let result = try await runLua("""
            local rows = {}
            for i = 1, 150 do rows[i] = {Name = "row " .. i, N = i} end
            rows[7].N, rows[70].N, rows[150].N = 0, 0, caspio.json.null
            -- PK_ID from another table's export: Caspio generates it, so it is not written.
            rows[151], rows[152] = {Name = "new 1", N = 1, PK_ID = 99999}, {Name = "NEW 2"}
            rows[1].PK_ID = 12345
            local r = caspio.table("T"):upsert(rows, {key = "Name", concurrency = 4})
            print(r.inserted, r.updated, r.unchanged)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "2\t3\t147\n")
        let requests = fake.resourceRequests
        let gets = requests.filter { $0.method == "GET" && $0.path.hasSuffix("/records") }
        #expect(gets.count == 2, "two lookups, no count: \(gets.map(\.uri))")
        #expect(requests.filter { $0.path.hasSuffix("/fields") }.count == 1, "the design, for the generated fields")
        for get in gets {
            #expect(get.query["q.where"]?.hasPrefix("Name IN ('row ") == true)
            #expect(get.query["q.select"] == "Name,N,PK_ID")
            #expect((fake.baseURL + "/tables/T/records?" + (get.uri.split(separator: "?").last ?? "")).utf8.count <= 2047)
        }
        let posts = requests.filter { $0.method == "POST" }
        #expect(posts.count == 2)
        #expect(posts.allSatisfy { !String(decoding: $0.body, as: UTF8.self).contains("PK_ID") })
        let puts = requests.filter { $0.method == "PUT" }.map { $0.query["q.where"] ?? "" }.sorted()
        #expect(puts == ["Name='row 150'", "Name='row 7'", "Name='row 70'"])
    }

    @Test func readsTheWholeTableWhenThatIsFewerRequests() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1200)
        let result = try await runLua("""
            local rows = {}
            for i = 1, 1000 do rows[i] = {Name = "row " .. i, N = i} end
            local r = caspio.table("T"):upsert(rows, {key = {"Name", "N"}})
            print(r.inserted, r.updated, r.unchanged)
            local ok, e = pcall(caspio.table("T").upsert, caspio.table("T"), {{Name = "a"}, {Name = "A"}}, {key = "Name", lines = {4, 9}})
            print(e.kind, e.message)
            print(select(2, pcall(caspio.table("T").upsert, caspio.table("T"), {{Name = "a"}}, {})))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("""
            0\t0\t1000
            input\tline 4 and line 9 have the same key (Name = "A"): which one should Caspio keep?

            """), "\(result.stdout)")
        #expect(result.stdout.contains("script.lua:7: upsert needs {key = \"Field\"}"), "\(result.stdout)")
        // The design, then 2 pages of 1,000 (the first counting the table) instead of a dozen
        // IN lists; and no write.
        #expect(fake.resourceRequests.map(\.method) == ["GET", "GET", "GET"])
    }

    @Test func insertsConcurrentlyAndReturnsRowsInInputOrder() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1)
        let result = try await runLua("""
            local rows = {}
            for i = 1, 20 do rows[i] = {Name = "n" .. i} end
            local done = 0
            local stored = caspio.table("T"):insert(rows, {concurrency = 8, progress = function(n) done = n end})
            local names = {}
            for i, row in ipairs(stored) do names[i] = row.Name end
            print(#stored, done, table.concat(names, ","):sub(1, 14))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "20\t20\tn1,n2,n3,n4,n5\n")
    }

    @Test func inspectAndPrintTableShowValuesAsTheREPLDoes() async throws {
        let lua = try InProcessLua()
        let values = await lua.values("""
            local shown = caspio.inspect({b = 1, a = {caspio.json.null, "x"}})
            local lines = {}
            local write = io.write
            io.write = function(...) for _, s in ipairs({...}) do lines[#lines + 1] = s end end
            caspio.print_table({{PK_ID = 1, Name = "Ada Lovelace, Countess of Lovelace", Ok = true}, {PK_ID = 22, Name = "Bo"}}, {width = 30})
            io.write = write
            return shown, table.concat(lines)
            """)
        #expect(values.first?.stringValue == "{ a = { null, \"x\" }, b = 1 }")
        #expect(values.last?.stringValue == """
            PK_ID  Name               Ok
            -----  -----------------  ----
            1      Ada Lovelace, Co…  true
            22     Bo
            (2 rows)

            """)
    }

    /// A list t:all read shows its table's column order (PK_ID, Name, N, as the seed made it);
    /// any other list PK_ID first, the rest sorted.
    @Test func printTableUsesTheTablesColumnOrderForListsItRead() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 2)
        let result = try await runLua("""
            local list = caspio.table("T"):all()
            caspio.print_table(list)
            caspio.print_table({list[1]})
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        let headers = result.stdout.split(separator: "\n").filter { $0.contains("PK_ID") }
        #expect(headers == ["PK_ID  Name   N", "PK_ID  N  Name"], "\(result.stdout)")
    }

    /// caspio.inspect shows a record read by t:first, t:rows or t:all with its fields in the
    /// table's order, other keys after them (`Extra`, which sorted would come first); any other
    /// table sorted (the copy: N, Name, PK_ID).
    @Test func inspectShowsRecordsFieldsInTheTablesOrder() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 2)
        let result = try await runLua("""
            local t = caspio.table("T")
            local first = t:first()
            print(caspio.inspect(first, {width = 200}))
            for row in t:rows({limit = 1}) do print(caspio.inspect(row, {width = 200})) end
            local list = t:all()
            list[2].Extra = 1
            print(caspio.inspect(list, {width = 200}))
            local copy = {}
            for k, v in pairs(first) do copy[k] = v end
            print(caspio.inspect(copy, {width = 200}))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            { PK_ID = 1, Name = "row 1", N = 1 }
            { PK_ID = 1, Name = "row 1", N = 1 }
            { { PK_ID = 1, Name = "row 1", N = 1 }, { PK_ID = 2, Name = "row 2", N = 2, Extra = 1 } }
            { N = 1, Name = "row 1", PK_ID = 1 }

            """, "\(result.stdout)")
    }
}
