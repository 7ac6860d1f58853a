import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// Paged reads that can neither lose nor repeat a row (in process): every read is totally
/// ordered (PK_ID last), against a server that shuffles unordered rows and ties as SQL Server
/// may; and a read that ends is checked against the first page's TotalCount.
@Suite struct OrderAndCountTests {
    /// caspio.records options and the q.orderBy they send.
    static let orders: [(String, String?)] = [
        ("{}", "PK_ID"),
        (#"{orderBy = "Name"}"#, "Name,PK_ID"),
        (#"{orderBy = {"State", "Name DESC"}}"#, "State,Name DESC,PK_ID"),
        (#"{orderBy = "PK_ID"}"#, "PK_ID"),
        (#"{orderBy = "PK_ID DESC"}"#, "PK_ID DESC"),
        (#"{orderBy = "pk_id desc"}"#, "pk_id desc"),
        (#"{orderBy = " [PK_ID]  ASC"}"#, " [PK_ID]  ASC"),
        // PK_ID anywhere makes the order total already (and SQL refuses it twice).
        (#"{orderBy = "PK_ID, Name"}"#, "PK_ID, Name"),
        (#"{orderBy = "COALESCE(Name, PK_ID) DESC"}"#, "COALESCE(Name, PK_ID) DESC,PK_ID"),
        (#"{orderBy = ""}"#, "PK_ID"),
        (#"{view = true, orderBy = "T_Name"}"#, "T_Name,PK_ID"),
        // Groups have no PK_ID: their fields make the order total.
        (#"{groupBy = "State"}"#, "State"),
        (#"{groupBy = {"State", "City"}, orderBy = "State DESC"}"#, "State DESC,City"),
        // Caspio's own order, on request.
        (#"{orderBy = "Name", order = false}"#, "Name"),
        ("{order = false}", nil),
        ("{order = true}", "PK_ID"),
    ]

    @Test(arguments: orders)
    func everyReadIsTotallyOrdered(options: String, orderBy: String?) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.createTable("T", fields: [("PK_ID", "AUTONUMBER"), ("Name", "STRING"), ("N", "INTEGER"), ("State", "STRING"), ("City", "STRING")])
        try fake.seed("T", count: 3)
        try fake.createView("TV", of: "T", fields: ["Name"])
        let lua = try InProcessLua(fake)
        let name = options.contains("view = true") ? "TV" : "T"
        #expect(await lua.values(#"for row in caspio.records("\#(name)", \#(options)) do end"#) == [])
        #expect(fake.resourceRequests.first?.query["q.orderBy"] == orderBy)
    }

    /// Ways of reading 2,600 rows whose Kind is the same for all (ties for an orderBy on it),
    /// each returning the rows seen and how many distinct PK_IDs they had.
    static let reads = [
        #"for row in caspio.records("T") do see(row) end"#,
        #"for row in t:rows({select = {"PK_ID", "Kind"}, where = {Kind = "same"}, orderBy = "Kind"}) do see(row) end"#,
        #"for row in t:rows({orderBy = "Kind DESC", pageSize = 500}) do see(row) end"#,
        #"for _, row in ipairs(t:all()) do see(row) end"#,
        #"for row in caspio.view("TV"):rows() do see(row) end"#,
        #"for _, row in ipairs(caspio.view("TV"):all({orderBy = "T_Kind"})) do see(row) end"#,
        // Reading ahead, and t:all's concurrent pages, change nothing of that.
        #"for row in caspio.records("T", {prefetch = 8, pageSize = 100}) do see(row) end"#,
        #"for row in t:rows({prefetch = 0, orderBy = "Kind"}) do see(row) end"#,
        #"for _, row in ipairs(t:all({concurrency = 8, pageSize = 100, orderBy = "Kind DESC"})) do see(row) end"#,
        #"for _, row in ipairs(t:all({concurrency = 1, pageSize = 250})) do see(row) end"#,
    ]

    @Test(arguments: reads)
    func eachRowExactlyOnceWhateverTheServersOrder(read: String) async throws {
        let fake = try await Self.shuffling(rows: 2600)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local t = caspio.table("T")
            local n, ids, distinct = 0, {}, 0
            local function see(row)
              n = n + 1
              if not ids[row.PK_ID] then distinct = distinct + 1 end
              ids[row.PK_ID] = true
            end
            \(read)
            return n, distinct
            """)
        #expect(values == [2600, 2600])
    }

    /// t:first among ties is the lowest PK_ID, whatever order the server gives them in.
    @Test func firstIsTheSameRowEveryTime() async throws {
        let fake = try await Self.shuffling(rows: 300)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local t, ids = caspio.table("T"), {}
            for i = 1, 5 do ids[i] = t:first({orderBy = "Kind", select = "PK_ID"}).PK_ID end
            return table.concat(ids, ",")
            """)
        #expect(values == ["1,1,1,1,1"])
    }

    /// Caspio's own order (order = false) against the same server: pages repeat and skip rows.
    @Test func withoutATotalOrderPagesRepeatAndSkipRows() async throws {
        let fake = try await Self.shuffling(rows: 2600)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local n, ids = 0, {}
            for row in caspio.records("T", {order = false}) do n = n + 1; ids[row.PK_ID] = true end
            local distinct = 0
            for _ in pairs(ids) do distinct = distinct + 1 end
            return n, distinct
            """)
        #expect(values.first == 2600)
        #expect((values.last?.integerValue ?? 2600) < 2600, "the shuffling server should make some rows repeat")
    }

    /// 2,600 rows {PK_ID, N, Name, Kind = "same"} (and the view TV of PK_ID and Kind) behind
    /// a server that shuffles every read, ties of q.orderBy too.
    static func shuffling(rows: Int) async throws -> EmulatedCaspio {
        let fake = try await EmulatedCaspio.start {
            $0.shuffleUnordered = true
            $0.orderSeed = 12
        }
        try fake.createTable("T", fields: [("PK_ID", "AUTONUMBER"), ("Name", "STRING"), ("N", "INTEGER"), ("Kind", "STRING")])
        try fake.seed("T", count: rows, extra: ["Kind": "same"])
        try fake.createView("TV", of: "T", fields: ["Kind"])
        return fake
    }

    // MARK: TotalCount

    /// What a loop over 20 rows (pages of 5) does to the table as it reads, and the rows it
    /// then sees (the count said 20).
    static let changes: [(String, Int)] = [
        ("", 20),
        (#"if n == 1 then t:insert({Name = "late"}) end"#, 21),
        ("if n == 1 then t:insert({{Name = 'a'}, {Name = 'b'}}) end", 22),
        ("if n == 1 then t:delete({N = 20}) end", 19),
        // A row deleted from a page already read shifts every later page by one.
        ("if n == 6 then t:delete({N = 1}) end", 19),
    ]

    static func loop(_ change: String, options: String) -> String {
        """
        local t = caspio.table("T")
        local n = 0
        for row in t:rows(\(options)) do
          n = n + 1
          \(change)
        end
        return n
        """
    }

    @Test(arguments: changes)
    func aChangedCountIsAWarning(change: String, seen: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 20)
        let lua = try InProcessLua(fake)
        #expect(await lua.values(Self.loop(change, options: "{pageSize = 5}")) == [.integer(Int64(seen))])
        let warnings = lua.logs.all.filter { $0.hasPrefix("warning: ") }
        if seen == 20 {
            #expect(warnings.isEmpty)
        } else {
            #expect(warnings == [
                "warning: caspio.records(\"T\") read \(seen) rows, but Caspio counted 20 when the read began: rows were added or removed during the read, so some may be missing or repeated (exact = true makes this an error)",
            ])
        }
        // Counted on the first page only.
        let reads = fake.resourceRequests.filter { $0.method == "GET" }
        let counted: [String?] = ["true"] + Array(repeating: nil, count: max(0, reads.count - 1))
        #expect(reads.map { $0.query["q.getPaginationInfo"] } == counted)
    }

    @Test(arguments: changes)
    func aChangedCountIsAnErrorWhenExact(change: String, seen: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 20)
        let lua = try InProcessLua(fake)
        let source = Self.loop(change, options: "{pageSize = 5, exact = true}")
        if seen == 20 {
            #expect(await lua.values(source) == [20])
            return
        }
        let error = await lua.error(source)
        #expect(error?.value["kind"] == "http")
        #expect(error?.value["status"] == 200)
        #expect(error?.message.hasPrefix("HTTP 200: caspio.records(\"T\") read \(seen) rows, but Caspio counted 20 when the read began") == true, "\(error?.message ?? "")")
        #expect(lua.logs.all.allSatisfy { !$0.hasPrefix("warning: ") })
    }

    /// Reads that are not counted: one page (a limit within it, first()), grouped rows; and a
    /// loop that breaks never ends the read.
    static let uncounted = [
        "for row in t:rows({limit = 5, pageSize = 5}) do t:insert({Name = 'x'}) end",
        "t:first(); t:insert({Name = 'x'}); t:first()",
        "for row in t:rows({groupBy = 'N', select = 'N', pageSize = 5}) do end",
        "for row in t:rows({pageSize = 5}) do t:insert({Name = 'x'}); break end",
    ]

    @Test(arguments: uncounted)
    func onlyReadsThatEndAreCounted(read: String) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 20)
        let lua = try InProcessLua(fake)
        _ = await lua.values("local t = caspio.table('T')\n" + read)
        #expect(lua.logs.all.allSatisfy { !$0.hasPrefix("warning: ") }, "\(lua.logs.all)")
    }

    /// With a limit, a read is expected to see the smaller of it and the count: the options,
    /// what the loop changes, the rows it sees, and the warning (nil: none).
    static let limits: [(String, String, Int, String?)] = [
        ("{limit = 12, pageSize = 5}", "", 12, nil),
        ("{limit = 30, pageSize = 5}", "if n == 1 then t:delete({N = 20}) end", 19, "read 19 rows, but Caspio counted 20 when the read began: "),
        (
            "{limit = 12, pageSize = 5}", "if n == 1 then t:delete({N = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}) end", 10,
            "read 10 rows, but Caspio counted 20 when the read began (and the limit is 12): "
        ),
    ]

    @Test(arguments: limits)
    func aLimitIsCountedAgainstTheSmallerOfItAndTheCount(options: String, change: String, seen: Int, warning: String?) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 20)
        let lua = try InProcessLua(fake)
        #expect(await lua.values(Self.loop(change, options: options)) == [.integer(Int64(seen))])
        let warnings = lua.logs.all.filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == (warning == nil ? 0 : 1))
        if let warning { #expect(warnings.first?.contains(warning) == true, "\(warnings)") }
    }
}
