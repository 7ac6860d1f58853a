import CaspioTestSupport
import Foundation
import Testing

/// caspio.map / caspio.parallel: results in input order, the number of requests in flight (as
/// the server sees it), the first error with its index, and one renewal for many 401s. Bad
/// arguments: UsageTests.
@Suite struct ConcurrencyTests {
    /// A fake whose answers to `N=k` lookups take longer for some k than for others, so that
    /// requests finish out of order and overlap at the server.
    static func slowFake(rows: Int, base: Double = 0.1) async throws -> EmulatedCaspio {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: rows)
        fake.delay { request in
            guard let clause = request.query["q.where"], clause.hasPrefix("N="), let n = Int(clause.dropFirst(2)) else { return 0 }
            return base + Double((rows - n) % 5) * 0.02
        }
        return fake
    }

    static func lookups(count: Int, options: String) -> String {
        """
        local items = {}
        for i = 1, \(count) do items[i] = i end
        local t = caspio.table("T")
        local results = caspio.map(items, function(i, index)
          local row = t:first({where = {N = i}})
          return row.N * 10 + (index == i and 0 or 1)
        end\(options.isEmpty ? "" : ", " + options))
        local ok = #results == \(count)
        for i = 1, \(count) do ok = ok and results[i] == i * 10 end
        print(#results, ok, caspio.json.is_array(results))
        """
    }

    @Test func resultsComeInInputOrderWithTheAskedConcurrency() async throws {
        let fake = try await Self.slowFake(rows: 40)
        let result = try await runLua(Self.lookups(count: 40, options: "{concurrency = 8}"), against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "40\ttrue\ttrue\n")
        #expect(fake.maxInFlight == 8)
        #expect(fake.resourceRequests.count == 40)
        #expect(fake.grantCount == 1)
    }

    @Test func theDefaultIsFourInFlight() async throws {
        let fake = try await Self.slowFake(rows: 12)
        let result = try await runLua(Self.lookups(count: 12, options: ""), against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "12\ttrue\ttrue\n")
        #expect(fake.maxInFlight == 4)
    }

    @Test func concurrencyIsCappedAtSixteen() async throws {
        let fake = try await Self.slowFake(rows: 32, base: 0.2)
        let result = try await runLua(Self.lookups(count: 32, options: "{concurrency = 100}"), against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "32\ttrue\ttrue\n")
        #expect(fake.maxInFlight == 16)
    }

    @Test func emptyListsMapToEmptyArrays() async throws {
        let lua = try InProcessLua()
        #expect(await lua.values("return caspio.json.encode(caspio.map({}, error)), caspio.json.encode(caspio.parallel({}))") == ["[]", "[]"])
    }

    @Test func theFirstErrorIsRaisedWithItsIndexAndTheRestIsCancelled() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 10)
        // Every lookup is very slow except item 2's, which fails at once: the map must not wait
        // for the others once it has failed.
        fake.delay { request in
            request.path.contains("/Missing/") || request.query["q.where"] == nil ? 0 : 5
        }
        let started = ContinuousClock.now
        let result = try await runLua("""
            local started = {}
            local ok, err = pcall(caspio.map, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, function(i)
              started[#started + 1] = i
              local name = i == 2 and "Missing" or "T"
              return caspio.table(name):first({where = {N = i}})
            end, {concurrency = 3})
            print(ok, err.kind, err.status, err.code, err.index, table.concat(started, ","))
            print(tostring(err):match("^item 2: HTTP 404 ObjectNotFound: Cannot find table 'Missing'") ~= nil)
            -- The client still works after the cancellation.
            print(caspio.table("T"):count())
            -- A plain Lua error in a task carries the index too.
            local ok2, err2 = pcall(caspio.map, {1, 2, 3}, function(i) if i == 3 then error("boom") end return i end)
            print(ok2, err2)
            local ok3, err3 = pcall(caspio.map, {1, 2}, function(i) if i == 2 then error({custom = true}) end return i end)
            print(ok3, err3)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(started.duration(to: .now) < .seconds(4))
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "false\thttp\t404\tObjectNotFound\t2\t1,2,3")
        #expect(lines[1] == "true")
        #expect(lines[2] == "10")
        #expect(lines[3].hasPrefix("false\titem 3: ") && lines[3].hasSuffix("script.lua:12: boom"), "\(lines[3])")
        #expect(lines[4].hasPrefix("false\titem 2: table: "), "\(lines[4])")
        // Items 1-3 were sent; 4-10 never started; the tables and views listings that a 404
        // asks for once (to name the nearest ones); then the count.
        #expect(fake.resourceRequests.count == 6, "\(fake.resourceRequests.map(\.uri))")
    }

    @Test func tasksCanMakeSeveralRequestsCatchErrorsAndIterate() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1500)
        try fake.seed("U", count: 30)
        let result = try await runLua("""
            local results = caspio.map({"T", "U", "Missing"}, function(name)
              local ok, err = pcall(function() return caspio.table(name):count() end)
              if not ok then return "missing " .. err.status end
              local n = 0
              for row in caspio.records(name, {pageSize = 500}) do n = n + 1 end
              return name .. "=" .. n .. "/" .. caspio.table(name):count()
            end, {concurrency = 3})
            print(table.concat(results, " "))
            local a, b, c = table.unpack(caspio.parallel({
              function() return caspio.table("T"):count() end,
              function() return caspio.table("U"):first().Name end,
              function() return "no request" end,
            }))
            print(a, b, c)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "T=1500/1500 U=30/30 missing 404\n1500\trow 1\tno request\n")
        // T: count, 3 pages, count; U: count, page, count; Missing: count and the tables and
        // views listings its 404 asks for once; then parallel's two requests.
        let expected: Int = (1 + 4 + 1) + (1 + 1 + 1) + (1 + 2) + 2
        #expect(fake.resourceRequests.count == expected)
    }

    @Test func aYieldOutsideARequestIsAnError() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1)
        let result = try await runLua("""
            print(pcall(caspio.map, {1}, function() coroutine.yield("mine") end))
            -- A task may run its own coroutines, and requests inside them simply block.
            local r = caspio.map({1, 2}, function(i)
              local co = coroutine.wrap(function() coroutine.yield(i * 2); return caspio.table("T"):count() end)
              return co() .. co()
            end)
            print(r[1], r[2])
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "false\titem 1: a task yielded outside a request; resume your own coroutines inside the task\n21\t41\n")
    }

    @Test func manyRequestsRejectedAtOnceShareOneRenewal() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.delayTokens(0.2)
        try fake.seed("T", count: 20)
        // The token dies right after the first request; then 8 requests at a time get 401.
        fake.revokeTokens(afterRequests: 1)
        fake.delay { request in request.query["q.where"] == nil ? 0 : 0.05 }
        let result = try await runLua("""
            caspio.get("tables/T/records", {["q.limit"] = 1})
            local items = {}
            for i = 1, 20 do items[i] = i end
            local results = caspio.map(items, function(i) return caspio.table("T"):first({where = {N = i}}).N end, {concurrency = 8})
            local ok = true
            for i = 1, 20 do ok = ok and results[i] == i end
            local s = caspio.stats()
            print(ok, s.grants.client_credentials, s.grants.refresh_token)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "true\t1\t1\n")
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
        #expect(fake.tokenRequests.count == 2)
        let rejected = fake.resourceRequests.count - 21
        #expect(rejected >= 1 && rejected <= 8, "\(rejected) requests were replayed")
    }

    @Test func aFreshRunStartingManyRequestsAtOnceMakesOneGrant() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.delayTokens(0.2)
        let result = try await runLua("""
            local items = {}
            for i = 1, 16 do items[i] = i end
            local r = caspio.map(items, function(i) return caspio.get("tables").Result ~= nil end, {concurrency = 16})
            print(#r, caspio.stats().grants.client_credentials)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "16\t1\n")
        #expect(fake.grants == ["client_credentials": 1])
    }
}
