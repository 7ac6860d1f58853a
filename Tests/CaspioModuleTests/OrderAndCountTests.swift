import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// Paged reads that can neither lose nor repeat a row (in process): every read is totally
/// ordered (PK_ID last), against a server that shuffles unordered rows and ties as SQL Server
/// may.
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
        (#"{view = true, orderBy = "Name"}"#, "Name,PK_ID"),
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
        let fake = try FakeCaspio()
        fake.seed("T", count: 3)
        let lua = try InProcessLua(fake)
        _ = await lua.values(#"for row in caspio.records("T", \#(options)) do end"#)
        #expect(fake.resourceRequests.first?.query["q.orderBy"] == orderBy)
    }

    /// Ways of reading 2,600 rows whose Kind is the same for all (ties for an orderBy on it),
    /// each returning the rows seen and how many distinct PK_IDs they had.
    static let reads = [
        #"for row in caspio.records("T") do see(row) end"#,
        #"for row in t:rows({select = {"PK_ID", "Kind"}, where = {Kind = "same"}, orderBy = "Kind"}) do see(row) end"#,
        #"for row in t:rows({orderBy = "Kind DESC", pageSize = 500}) do see(row) end"#,
        #"for _, row in ipairs(t:all()) do see(row) end"#,
        #"for row in caspio.view("T"):rows() do see(row) end"#,
        #"for _, row in ipairs(caspio.view("T"):all({orderBy = "Kind"})) do see(row) end"#,
    ]

    @Test(arguments: reads)
    func eachRowExactlyOnceWhateverTheServersOrder(read: String) async throws {
        let fake = try Self.shuffling(rows: 2600)
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

    /// Caspio's own order (order = false) against the same server: pages repeat and skip rows.
    @Test func withoutATotalOrderPagesRepeatAndSkipRows() async throws {
        let fake = try Self.shuffling(rows: 2600)
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

    /// 2,600 rows {PK_ID, N, Name, Kind = "same"} behind a server that shuffles every read.
    static func shuffling(rows: Int) throws -> FakeCaspio {
        let fake = try FakeCaspio()
        fake.seed("T", count: rows)
        fake.state.withLockedValue { state in
            for i in state.records.tables["T", default: []].indices { state.records.tables["T"]![i]["Kind"] = .string("same") }
        }
        fake.shuffleReads(seed: 12)
        return fake
    }
}
