import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// Reading ahead (in process): the pager asks for the next pages while the loop works, never
/// past the pages there are; a loop that stops early costs at most the pages asked for, and
/// cancels them; t:all reads the pages after the first concurrently, in order.
@Suite struct ReadAheadTests {
    /// records options on 100 rows in pages of 5 (20 pages), and the pages asked for ahead
    /// while the loop reads the first row.
    static let depths: [(String, Int)] = [
        ("{pageSize = 5}", 1),
        ("{pageSize = 5, prefetch = 0}", 0),
        ("{pageSize = 5, prefetch = 3}", 3),
        ("{pageSize = 5, prefetch = 15}", 15),
        // Capped, so that at most 16 requests are in flight.
        ("{pageSize = 5, prefetch = 40}", 15),
        // Never past the pages the count says there are, nor the limit.
        ("{pageSize = 50, prefetch = 5}", 1),
        ("{pageSize = 5, prefetch = 5, limit = 12}", 2),
        ("{pageSize = 5, prefetch = 5, limit = 5}", 0),
        // Grouped reads are not counted: a page is asked for once the one before came full.
        (#"{pageSize = 5, prefetch = 5, groupBy = "N"}"#, 1),
    ]

    @Test(arguments: depths)
    func pagesAreAskedForAheadWhileTheLoopWorks(options: String, ahead: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 100)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local n, held = 0, nil
            for row in caspio.records("T", \(options)) do
              n = n + 1
              if n == 1 then held = held_requests() end
            end
            return held, held_requests()
            """)
        #expect(values == [.integer(Int64(ahead)), 0])
    }

    /// Rows, page size, prefetch: a loop that runs to the end asks for no page past the last
    /// (and one empty page when the last is exactly full, which the count must not skip, or
    /// rows added meanwhile would go unseen).
    static let wholeReads: [(Int, Int, Int, Int)] = [
        (0, 5, 3, 1), (4, 5, 3, 1), (5, 5, 3, 2), (23, 5, 3, 5), (25, 5, 3, 6), (100, 5, 15, 21), (100, 7, 2, 15),
    ]

    @Test(arguments: wholeReads)
    func aWholeReadAsksForNoPagePastTheEnd(rows: Int, pageSize: Int, prefetch: Int, requests: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: rows)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local n, ordered = 0, true
            for row in caspio.records("T", {pageSize = \(pageSize), prefetch = \(prefetch)}) do
              n = n + 1
              ordered = ordered and row.N == n
            end
            return n, ordered
            """)
        #expect(values == [.integer(Int64(rows)), true])
        #expect(fake.resourceRequests.count == requests)
        #expect(lua.logs.all.filter { $0.hasPrefix("warning: ") }.isEmpty)
    }

    /// How a loop over 100 rows in pages of 5 stops early, and the most requests that may
    /// cost: the pages read and the ones asked for ahead. Whatever stops it, nothing is left.
    static let earlyStops: [(String, String, Int)] = [
        ("{pageSize = 5}", "break", 2),
        ("{pageSize = 5, prefetch = 0}", "break", 1),
        ("{pageSize = 5, prefetch = 4}", "break", 5),
        ("{pageSize = 5, prefetch = 4}", "return 'early'", 5),
        ("{pageSize = 5, prefetch = 4}", "error('stop here')", 5),
        ("{pageSize = 5, prefetch = 16}", "break", 16),
    ]

    @Test(arguments: earlyStops)
    func aLoopThatStopsEarlyCostsAtMostThePagesAskedFor(options: String, stop: String, most: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 100)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local function read()
              for row in caspio.records("T", \(options)) do
                if row.N == 3 then \(stop) end
              end
            end
            local ok = pcall(read)
            return held_requests()
            """)
        #expect(values == [0])
        #expect(await lua.settled(), "cancelled requests did not wind down")
        #expect(fake.resourceRequests.count <= most, "\(fake.resourceRequests.count) requests")
        #expect(lua.requestsHeld.owned == 0)
    }

    @Test func aPageThatFailsCancelsThePagesAskedForAfterIt() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 100)
        // Page 1, then a failure for each of the pages after it (asked for at once, so any
        // of them may come first): reading page 2 fails, the pages ahead of it are cancelled
        // unread. While page 2 is awaited, up to 4 pages are ahead of it (3 to 6): at most 6.
        fake.script([.json(200, ["Result": (1...5).map { ["PK_ID": $0, "N": $0] }, "Pagination": ["TotalCount": 100]])]
            + Array(repeating: .json(400, ["Code": "SqlServerError", "Message": "boom"]), count: 5))
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local ok, e = pcall(function() for row in caspio.records("T", {pageSize = 5, prefetch = 4}) do end end)
            return ok, e.status, held_requests()
            """)
        #expect(values == [false, 400, 0])
        #expect(await lua.settled())
        #expect(fake.resourceRequests.count <= 6, "\(fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" })")
    }

    @Test func aMapTaskThatIsClosedCancelsItsPagesAhead() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 100)
        // Task 2 fails while task 1 waits for page 2 (the slow one): map closes task 1, and
        // with it the loop, which cancels the pages it asked for ahead. (Should task 2 fail
        // sooner, there is nothing ahead yet: nothing is left behind either way.)
        fake.delay { request in
            if request.query["q.pageSize"] == "6" { return 0.1 }
            return request.query["q.pageNumber"] == "2" ? 0.3 : 0
        }
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local ok, e = pcall(caspio.map, {1, 2}, function(i)
              if i == 1 then
                for row in caspio.records("T", {pageSize = 5, prefetch = 3}) do end
              else
                caspio.get("tables/T/records", {["q.pageNumber"] = 3, ["q.pageSize"] = 6})
                error("task 2 fails")
              end
            end)
            return ok, held_requests()
            """)
        #expect(values == [false, 0])
        #expect(await lua.settled())
    }

    @Test func insertsDuringAReadAheadAreCounted() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 20)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local t, n = caspio.table("T"), 0
            for row in t:rows({pageSize = 5, prefetch = 3}) do
              n = n + 1
              if n == 1 then t:insert({Name = "late"}) end
            end
            return n
            """)
        // The new row sorts last, past the pages asked for ahead: it is seen, and counted.
        #expect(values == [21])
        let warnings = lua.logs.all.filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("read 21 rows, but Caspio counted 20") == true, "\(warnings)")
    }

    @Test func aFilesListingReadsAheadEachFileOnce() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.sandbox.seed(json: #"{"Folders":[{"Name":"F","ExternalKey":"F"}]}"#)
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local path = os.tmpname()
            local f = io.open(path, "wb"); f:write("x"); f:close()
            for i = 1, 23 do caspio.files.upload(path, {folder = "F", name = "f" .. i .. ".txt"}) end
            os.remove(path)
            local n, names, held = 0, {}, nil
            for file in caspio.files.list({folder = "F", pageSize = 5}) do
              n = n + 1
              names[file.Name] = true
              if n == 1 then held = held_requests() end
            end
            local distinct = 0
            for _ in pairs(names) do distinct = distinct + 1 end
            return n, distinct, held
            """)
        // Uncounted: page 2 is asked for as soon as page 1 comes full, and none past page 5.
        #expect(values == [23, 23, 1])
        #expect(fake.resourceRequests.filter { $0.method == "GET" }.count == 5)
    }

    // MARK: t:all

    /// Rows, page size, concurrency, and the requests t:all makes: one a page, plus one when
    /// the last is exactly full.
    static let allReads: [(Int, Int, Int?, Int)] = [
        (0, 5, nil, 1), (3, 5, nil, 1), (5, 5, nil, 2), (48, 5, nil, 10), (50, 5, nil, 11), (50, 5, 1, 11), (97, 5, 16, 20),
    ]

    @Test(arguments: allReads)
    func allReadsEveryPageOnceInOrder(rows: Int, pageSize: Int, concurrency: Int?, requests: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: rows)
        // Early pages answer last, so that pages arrive out of order.
        fake.delay { request in
            let page = Int(request.query["q.pageNumber"] ?? "1") ?? 1
            return page > 1 ? max(0, 0.03 - 0.005 * Double(page)) : 0
        }
        let lua = try InProcessLua(fake)
        let options = concurrency.map { "pageSize = \(pageSize), concurrency = \($0)" } ?? "pageSize = \(pageSize)"
        let values = await lua.values("""
            local all = caspio.table("T"):all({\(options)})
            local ordered = true
            for i, row in ipairs(all) do ordered = ordered and row.N == i end
            return #all, ordered
            """)
        #expect(values == [.integer(Int64(rows)), true])
        #expect(fake.resourceRequests.count == requests)
        // (+1: the fake counts a request answered only once its write is done, by which time
        // the client may have asked for the next page.)
        #expect(fake.maxInFlight <= min(concurrency ?? 4, 16) + 1)
        #expect(lua.requestsHeld.owned == 0)
    }

    @Test func allTakesConcurrencyAndTheIteratorsPrefetch() async throws {
        let lua = try InProcessLua()
        #expect(await lua.failure(#"caspio.table("T"):all({prefetch = 2})"#)?.contains("'all' takes no option 'prefetch'") == true)
        #expect(await lua.failure(#"caspio.table("T"):rows({concurrency = 2})"#)?.contains("'rows' takes no option 'concurrency'") == true)
        #expect(await lua.failure(#"caspio.records("T", {prefetch = -1})"#) == "script.lua:1: prefetch must be an integer of 0 or more (got the number -1)")
        #expect(await lua.failure(#"caspio.table("T"):all({concurrency = 0})"#) == "script.lua:1: concurrency must be a positive integer (got the number 0)")
    }

    /// A page read ahead (decoded off the Lua thread while the loop reads the page before it)
    /// that is not JSON is still the error naming its request, after the rows before it.
    @Test func anUndecodablePageReadAheadIsAnErrorNamingItsRequest() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 12)
        let broken = TestHTTPServer.Reply(status: 200, headers: [("Content-Type", "application/json")], body: Array(#"{"Result":[{"N":6},"#.utf8))
        fake.script([broken]) { $0.uri.contains("ageNumber=2") }
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local n = 0
            local ok, err = pcall(function() for row in caspio.records("T", {pageSize = 5}) do n = n + 1 end end)
            return n, ok, err.kind, err.status, err.method, err.url:find("tables/T/records", 1, true) ~= nil, tostring(err), held_requests()
            """)
        #expect(values.count == 8)
        guard values.count == 8 else { return }
        #expect(Array(values[0..<6]) == [.integer(5), .boolean(false), .string("http"), .integer(200), .string("GET"), .boolean(true)])
        let message = values[6].stringValue ?? ""
        #expect(message.hasPrefix("HTTP 200: the server said the answer is JSON, but it is not: json: "), "\(message)")
        #expect(message.contains("(GET http://127.0.0.1:"), "\(message)")
        #expect(values[7] == .integer(0))
    }
}
