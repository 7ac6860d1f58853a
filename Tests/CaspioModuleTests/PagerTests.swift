import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// The one pager, in process, through its listings: caspio.records (q.pageNumber/q.pageSize,
/// stopping on a short page), table handles, caspio.files.list; limits and empty results.
@Suite struct PagerTests {
    /// Counts the rows a records loop sees, whether they come in order, and rows_read.
    static let countRows = """
        local n, ordered = 0, true
        for row in caspio.records("T", OPTIONS) do
          n = n + 1
          if row.N ~= n then ordered = false end
        end
        return n, ordered, caspio.stats().rows_read
        """

    static func counting(_ options: String = "") -> String {
        countRows.replacingOccurrences(of: "OPTIONS", with: options.isEmpty ? "nil" : options)
    }

    @Test(arguments: [(0, 1), (7, 1), (999, 1), (1000, 2), (1001, 2), (2500, 3)])
    func recordsPageUntilAShortPage(rows: Int, pages: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: rows)
        let lua = try InProcessLua(fake)
        #expect(await lua.values(Self.counting()) == [.integer(Int64(rows)), true, .integer(Int64(rows))])
        // Pages read ahead are in flight together: they may reach the server in any order.
        let requests = fake.resourceRequests.sorted { Int($0.query["q.pageNumber"] ?? "") ?? 0 < Int($1.query["q.pageNumber"] ?? "") ?? 0 }
        #expect(requests.count == pages)
        for (i, request) in requests.enumerated() {
            #expect(request.method == "GET")
            #expect(request.path.hasSuffix("/integrations/rest/v3/tables/T/records"))
            // Ordered by PK_ID; counted on the first page only.
            var query = ["q.pageNumber": "\(i + 1)", "q.pageSize": "1000", "q.orderBy": "PK_ID"]
            if i == 0 { query["q.getPaginationInfo"] = "true" }
            #expect(request.query == query)
        }
    }

    /// Options on 30 rows, the rows seen, and the q.pageSize of every request made: a limit
    /// ends the listing without asking for another page, and a small one asks for small pages.
    static let limits: [(String, Int, [String])] = [
        ("{limit = 0}", 0, []),
        ("{limit = 3}", 3, ["5"]),
        ("{limit = 5}", 5, ["5"]),
        ("{limit = 10, pageSize = 10}", 10, ["10"]),
        ("{limit = 30, pageSize = 10}", 30, ["10", "10", "10"]),
        ("{limit = 31, pageSize = 10}", 30, ["10", "10", "10", "10"]),
        ("{limit = 100, pageSize = 5}", 30, Array(repeating: "5", count: 7)),
        ("{pageSize = 5}", 30, Array(repeating: "5", count: 7)),
        ("{pageSize = 7}", 30, Array(repeating: "7", count: 5)),
        ("{limit = 2000}", 30, ["1000"]),
    ]

    @Test(arguments: limits)
    func recordsLimitsAndPageSizes(options: String, rows: Int, pageSizes: [String]) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 30)
        let lua = try InProcessLua(fake)
        #expect(await lua.values(Self.counting(options)).first == .integer(Int64(rows)))
        #expect(fake.resourceRequests.map { $0.query["q.pageSize"] ?? "" } == pageSizes)
        // Each page once (pages asked for ahead may reach the server in any order).
        #expect(fake.resourceRequests.compactMap { Int($0.query["q.pageNumber"] ?? "") }.sorted() == pageSizes.indices.map { $0 + 1 })
        #expect(fake.resourceRequests.allSatisfy { $0.query["q.limit"] == nil })
    }

    @Test func emptyTablesGiveEmptyResultsInOneRequest() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("Empty", count: 0)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local t = caspio.table("Empty")
            local n = 0
            for row in t:rows() do n = n + 1 end
            return n, caspio.json.encode(t:all()), t:first(), t:count()
            """)
        #expect(values == [0, "[]", .nil, 0])
        #expect(fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" } == ["1", "1", "1", "1"])
    }

    @Test func handlesPageThroughTheirTable() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1200)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local t = caspio.table("T")
            local n = 0
            for row in t:rows({pageSize = 500, limit = 600}) do n = n + 1 end
            local all = t:all()
            return n, #all, caspio.json.is_array(all), all[1200].N, t:first({where = {N = 7}}).Name
            """)
        #expect(values == [600, 1200, true, 1200, "row 7"])
        #expect(fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" } == ["1", "2", "1", "2", "1"])
        // first(): one page, so not counted.
        #expect(fake.resourceRequests.last?.query == ["q.where": "N=7", "q.orderBy": "PK_ID", "q.pageNumber": "1", "q.pageSize": "5"])
    }

    @Test func recordsQueryOptionsAndViews() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 10)
        try fake.createView("TV", of: "T", fields: ["N"])
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local names = {}
            for row in caspio.records("T", {where = {N = {2, 4, 6}}, select = {"PK_ID", "Name"}, orderBy = "N DESC"}) do
              names[#names + 1] = row.Name
            end
            local n = 0
            for row in caspio.records("TV", {view = true, where = "T_N=3", select = "T_N", groupBy = "T_N"}) do n = n + row.T_N end
            return table.concat(names, ","), n
            """)
        #expect(values == ["row 6,row 4,row 2", 3])
        let requests = fake.resourceRequests
        #expect(requests.count == 2)
        #expect(requests.first?.query == [
            "q.where": "N IN (2, 4, 6)", "q.select": "PK_ID,Name", "q.orderBy": "N DESC,PK_ID", "q.pageNumber": "1",
            "q.pageSize": "1000", "q.getPaginationInfo": "true",
        ])
        #expect(requests.last?.path.hasSuffix("/v3/views/TV/records") == true)
        #expect(requests.last?.query == [
            "q.where": "T_N=3", "q.select": "T_N", "q.groupBy": "T_N", "q.orderBy": "T_N", "q.pageNumber": "1", "q.pageSize": "1000",
        ])
    }

    /// (No Caspio table has such a name: the server's 404 names it whole, as one segment.)
    @Test func tableNamesAreEncodedAsOnePathSegment() async throws {
        let fake = try await EmulatedCaspio.start()
        let lua = try InProcessLua(fake)
        let error = await lua.error(#"for row in caspio.records("My Table/2") do end"#)
        #expect(error?.message.hasPrefix("HTTP 404 ObjectNotFound: Cannot find table 'My Table/2'") == true, "\(error?.message ?? "")")
        #expect(fake.resourceRequests.first?.uri.contains("/tables/My%20Table%2F2/records?") == true)
    }

    @Test func anErrorOnAPageIsAnErrorTable() async throws {
        let fake = try await EmulatedCaspio.start()
        let lua = try InProcessLua(fake)
        let error = await lua.error(#"for row in caspio.records("Nope") do end"#)
        #expect(error?.message.hasPrefix("HTTP 404 ObjectNotFound: Cannot find table 'Nope'") == true, "\(error?.message ?? "")")
        #expect(error?.value["kind"] == "http")
        #expect(error?.value["status"] == 404)
        #expect(error?.value["method"] == "GET")
    }

    @Test func anAnswerWithoutResultIsAnError() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.script([.json(200, ["Something": "else"])])
        let lua = try InProcessLua(fake)
        let error = await lua.error(#"for row in caspio.records("T") do end"#)
        #expect(error?.value["kind"] == "http")
        #expect(error?.value["status"] == 200)
        #expect(error?.value["message"] == "the answer has no Result list")
        #expect(error?.value["request_id"] != LuaValue.nil)
    }

    // MARK: caspio.files.list

    /// Page size asked for (nil: the default, 100), the length of each scripted page, and how
    /// many pages are asked for: the listing stops after a short or empty page.
    static let fileListings: [(Int?, [Int], Int)] = [
        (5, [5, 5, 2], 3),
        (5, [5, 5, 0], 3),
        (5, [0], 1),
        (5, [3], 1),
        (nil, [100, 1], 2),
        (nil, [99], 1),
    ]

    @Test(arguments: fileListings)
    func filesListPagesUntilAShortPage(pageSize: Int?, pages: [Int], requests: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        var serial = 0
        fake.script(pages.map { count in
            defer { serial += count }
            return .json(200, ["Result": (0..<count).map { ["Name": "f\(serial + $0 + 1)", "ExternalKey": "k"] }])
        })
        let lua = try InProcessLua(fake)
        let options = pageSize.map { "{folder = 'F1', pageSize = \($0)}" } ?? "{folder = 'F1'}"
        let values = await lua.values("""
            local n, ordered = 0, true
            for file in caspio.files.list(\(options)) do
              n = n + 1
              if file.Name ~= "f" .. n then ordered = false end
            end
            return n, ordered, caspio.stats().rows_read
            """)
        // Files are not rows: rows_read stays 0.
        #expect(values == [.integer(Int64(pages.reduce(0, +))), true, 0])
        let sent = fake.resourceRequests
        #expect(sent.count == requests)
        for (i, request) in sent.enumerated() {
            #expect(request.path.hasSuffix("/integrations/rest/v3/files"))
            #expect(request.query == ["pageNumber": "\(i + 1)", "pageSize": "\(pageSize ?? 100)", "externalKey": "F1"])
        }
    }

    @Test func filesListTakesAnAnswerWithoutResultAsEmpty() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.script([.json(200, ["Something": "else"])])
        let lua = try InProcessLua(fake)
        #expect(await lua.values("local n = 0; for f in caspio.files.list() do n = n + 1 end; return n") == [0])
        #expect(fake.resourceRequests.count == 1)
    }

    // MARK: Renewal between pages

    // Page after page (prefetch = 0), so that the token dies between two known requests.

    @Test func anAccessTokenRevokedBetweenPagesIsRenewedUnnoticed() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 2500)
        fake.revokeTokens(afterRequests: 1)
        let lua = try InProcessLua(fake)
        #expect(await lua.values(Self.counting("{prefetch = 0}")).prefix(2) == [2500, true])
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
        // Page 2 was refused once with 401, then replayed with the renewed token.
        #expect(fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" } == ["1", "2", "2", "3"])
    }

    @Test func aTokenThatExpiresMidIterationIsRenewedBeforeItIsRefused() async throws {
        // Tokens live 2 s (renewed 0.5 s before expiry); every page takes at least 0.5 s, so
        // the token is due for renewal by the time page 5 is asked for. (A margin of 0.5 s
        // between the client's check and the server's: a loaded machine stalls less.)
        let fake = try await EmulatedCaspio.start { $0.tokenTTL = 2 }
        try fake.seed("T", count: 4500)
        fake.delay { _ in 0.5 }
        let lua = try InProcessLua(fake)
        #expect(await lua.values(Self.counting("{prefetch = 0}")).prefix(2) == [4500, true])
        #expect(fake.grants["client_credentials"] == 1)
        #expect((fake.grants["refresh_token"] ?? 0) >= 1)
        // Renewed ahead of time: no request was refused and replayed.
        // Renewed ahead of time: no page after the first was refused and replayed (the first
        // can be, on a machine so loaded that 1.5 s pass between the grant and the server).
        #expect(fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" }.drop { $0 == "1" } == ["2", "3", "4", "5"])
    }

    @Test func bothTokensRevokedBetweenPagesFallsBackToClientCredentials() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 2500)
        fake.revokeTokens(afterRequests: 2, refreshTokensToo: true)
        let lua = try InProcessLua(fake)
        #expect(await lua.values(Self.counting("{prefetch = 0}")).prefix(2) == [2500, true])
        // The refresh grant was refused (the fake counts only grants it made), then client
        // credentials worked.
        #expect(fake.grants == ["client_credentials": 2])
        #expect(fake.tokenRequests.map { $0.form["grant_type"] ?? "" } == ["client_credentials", "refresh_token", "client_credentials"])
        #expect(fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" } == ["1", "2", "3", "3"])
    }

    // MARK: Memory

    @Test func onlyOnePageIsHeldInMemory() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 20_000)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            collectgarbage(); collectgarbage()
            local base = collectgarbage("count")
            local n, peak = 0, 0
            for row in caspio.records("T") do
              n = n + 1
              if n % 1000 == 1 then
                collectgarbage(); collectgarbage()
                peak = math.max(peak, collectgarbage("count") - base)
              end
            end
            return n, peak < 1024, math.floor(peak)
            """)
        #expect(values.prefix(2) == [20000, true], "\(values)")
        #expect(fake.resourceRequests.count == 21)
    }
}
