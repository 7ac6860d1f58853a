import CaspioTestSupport
import Foundation
import Testing

/// caspio.records: paging with q.pageNumber/q.pageSize only, stopping on a short page; options;
/// transparent token renewal between pages; one page in memory at a time.
@Suite struct RecordsTests {
    /// Counts the rows a records loop sees, and checks that they come in order.
    static let countRows = """
        local n, ordered = 0, true
        for row in caspio.records("T") do
          n = n + 1
          if row.N ~= n then ordered = false end
        end
        print(n, ordered)
        """

    @Test(arguments: [(0, 1), (7, 1), (999, 1), (1000, 2), (1001, 2), (2500, 3)])
    func pagesUntilAShortPage(rows: Int, pages: Int) throws {
        let fake = try FakeCaspio()
        fake.seed("T", count: rows)
        let result = try runLua(Self.countRows + "\nprint(caspio.stats().rows_read)", against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\(rows)\ttrue\n\(rows)\n")
        let requests = fake.resourceRequests
        #expect(requests.count == pages)
        for (i, request) in requests.enumerated() {
            #expect(request.method == "GET")
            #expect(request.path.hasSuffix("/integrations/rest/v3/tables/T/records"))
            #expect(request.query == ["q.pageNumber": "\(i + 1)", "q.pageSize": "1000"])
        }
    }

    @Test func pageSizeOption() throws {
        let fake = try FakeCaspio()
        fake.seed("T", count: 12)
        let result = try runLua("""
            local n = 0
            for row in caspio.records("T", {pageSize = 5}) do n = n + 1 end
            print(n)
            for _, bad in ipairs({4, 1001, 0, -5, 10.5, "50"}) do
              local ok, err = pcall(function() return caspio.records("T", {pageSize = bad}) end)
              print(ok, err)
            end
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "12")
        for (line, bad) in zip(lines.dropFirst(), ["4", "1001", "0", "-5", "10.5", "50"]) {
            #expect(line.hasPrefix("false\t"))
            #expect(line.contains("pageSize must be an integer from 5 to 1000 (got \(bad))"), "\(line)")
            // The error points at the script, not at the module.
            #expect(line.contains("script.lua:"), "\(line)")
        }
        #expect(fake.resourceRequests.map { $0.query["q.pageNumber"] } == ["1", "2", "3"])
        #expect(fake.resourceRequests.allSatisfy { $0.query["q.pageSize"] == "5" })
    }

    @Test func limitStopsWithoutAnotherRequest() throws {
        let fake = try FakeCaspio()
        fake.seed("T", count: 30)
        let result = try runLua("""
            local function count(opts)
              local n = 0
              for row in caspio.records("T", opts) do n = n + 1 end
              return n
            end
            print(count({limit = 0}), count({limit = 3}), count({limit = 10, pageSize = 10}), count({limit = 100, pageSize = 5}))
            print(pcall(caspio.records, "T", {limit = -1}))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "0\t3\t10\t30")
        #expect(lines[1].hasPrefix("false\t") && lines[1].contains("limit must be a non-negative integer"))
        // limit 0: nothing; limit 3: one page; limit 10 with pages of 10: one page (no
        // request for a second page once the limit is reached); limit 100 by 5: 6 full pages + 1.
        let sizes = fake.resourceRequests.map { $0.query["q.pageSize"] ?? "" }
        #expect(sizes.count == 1 + 1 + 7)
        #expect(sizes.first == "5")  // a limit of 3 asks for a page of 5 (Caspio's minimum), not 1,000
        #expect(fake.resourceRequests.allSatisfy { $0.query["q.limit"] == nil })
    }

    @Test func whereSelectOrderByAndViews() throws {
        let fake = try FakeCaspio()
        fake.seed("T", count: 10)
        let result = try runLua("""
            local names = {}
            for row in caspio.records("T", {where = {N = {2, 4, 6}}, select = {"PK_ID", "Name"}, orderBy = "N DESC"}) do
              names[#names + 1] = row.Name
            end
            print(table.concat(names, ","))
            local n = 0
            for row in caspio.records("T", {view = true, where = "N=3", select = "N", groupBy = "N"}) do n = n + row.N end
            print(n)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "row 6,row 4,row 2\n3\n")
        let requests = fake.resourceRequests
        #expect(requests.count == 2)
        #expect(requests[0].query == [
            "q.where": "N IN (2, 4, 6)", "q.select": "PK_ID,Name", "q.orderBy": "N DESC", "q.pageNumber": "1",
            "q.pageSize": "1000",
        ])
        #expect(requests[1].path.hasSuffix("/v3/views/T/records"))
        #expect(requests[1].query == [
            "q.where": "N=3", "q.select": "N", "q.groupBy": "N", "q.pageNumber": "1", "q.pageSize": "1000",
        ])
    }

    @Test func tableNamesAreEncodedAsOnePathSegment() throws {
        let fake = try FakeCaspio()
        fake.seed("My Table/2", count: 2)
        let result = try runLua("""
            local n = 0
            for row in caspio.records("My Table/2") do n = n + 1 end
            print(n)
            print(pcall(caspio.records, ""))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("2\nfalse\t"))
        #expect(fake.resourceRequests.first?.uri.contains("/tables/My%20Table%2F2/records?") == true)
    }

    @Test func errorsOnAPageAreErrorTables() throws {
        let fake = try FakeCaspio()
        let result = try runLua("""
            local ok, err = pcall(function() for row in caspio.records("Nope") do end end)
            print(ok, err.kind, err.status, err.code, err.method)
            fake_page = caspio.records("Nope")
            fake_page()
            """, against: fake)
        #expect(result.status == 5, "\(result.stderr)")
        #expect(result.stdout == "false\thttp\t404\tObjectNotFound\tGET\n")
        #expect(result.stderr.hasPrefix("caspio: HTTP 404 ObjectNotFound: Cannot find table 'Nope'"))
    }

    @Test func anAnswerWithoutResultIsAnError() throws {
        let fake = try FakeCaspio()
        fake.script([.json(200, ["Something": "else"])])
        let result = try runLua("""
            local ok, err = pcall(function() for row in caspio.records("T") do end end)
            print(ok, err.kind, err.status, err.message, err.request_id ~= nil)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "false\thttp\t200\tthe answer has no Result list\ttrue\n")
    }

    // MARK: Renewal between pages

    @Test func anAccessTokenRevokedBetweenPagesIsRenewedUnnoticed() throws {
        let fake = try FakeCaspio()
        fake.seed("T", count: 2500)
        fake.revokeTokens(afterRequests: 1)
        let result = try runLua(Self.countRows + "\nlocal s = caspio.stats(); print(s.grants.client_credentials, s.grants.refresh_token)", against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "2500\ttrue\n1\t1\n")
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
        // Page 2 was refused once with 401, then replayed with the renewed token.
        let statuses = fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" }
        #expect(statuses == ["1", "2", "2", "3"])
    }

    @Test func aTokenThatExpiresMidIterationIsRenewedBeforeItIsRefused() throws {
        // Tokens live 1 s (renewed 0.25 s before expiry); every page takes at least 0.3 s, so
        // the token is due for renewal by the time page 4 is asked for.
        var settings = FakeCaspio.Settings()
        settings.tokenLifetime = 1
        let fake = try FakeCaspio(settings: settings)
        fake.seed("T", count: 3500)
        fake.settings.resourceDelay = { _ in 0.3 }
        let result = try runLua(Self.countRows, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "3500\ttrue\n")
        #expect(fake.grants["client_credentials"] == 1)
        #expect((fake.grants["refresh_token"] ?? 0) >= 1)
        // Renewed ahead of time: no request was refused and replayed.
        #expect(fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" } == ["1", "2", "3", "4"])
    }

    @Test func bothTokensRevokedBetweenPagesFallsBackToClientCredentials() throws {
        let fake = try FakeCaspio()
        fake.seed("T", count: 2500)
        fake.revokeTokens(afterRequests: 2, refreshTokensToo: true)
        let result = try runLua(Self.countRows, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "2500\ttrue\n")
        // The refresh grant was refused (the fake counts only grants it made), then client
        // credentials worked.
        #expect(fake.grants == ["client_credentials": 2])
        #expect(fake.tokenRequests.map { $0.form["grant_type"] ?? "" } == ["client_credentials", "refresh_token", "client_credentials"])
        #expect(fake.resourceRequests.map { $0.query["q.pageNumber"] ?? "" } == ["1", "2", "3", "3"])
    }

    @Test func aRefusedRenewalEndsTheLoopWithAnAuthError() throws {
        var settings = FakeCaspio.Settings()
        settings.refuseRefreshWith = 400
        let fake = try FakeCaspio(settings: settings)
        fake.seed("T", count: 1500)
        fake.revokeTokens(afterRequests: 1)
        // The refresh is refused, client credentials work: the loop still never notices.
        let ok = try runLua(Self.countRows, against: fake)
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout == "1500\ttrue\n")
        #expect(fake.grants == ["client_credentials": 2])
        #expect(fake.tokenRequests.map { $0.form["grant_type"] ?? "" } == ["client_credentials", "refresh_token", "client_credentials"])

        // A later run starts with the cached token; after its first page the tokens are revoked
        // and the client secret has been rotated: an auth error that the script can catch.
        let cache = try temporaryDirectory().path
        let warm = try runLua("caspio.get('tables/T/records', {['q.limit'] = 1})", against: fake, environment: ["CASPIO_TOKEN_CACHE": cache])
        #expect(warm.status == 0, "\(warm.stderr)")
        fake.settings.clientSecret = "rotated-secret"
        fake.revokeTokens(afterRequests: 1, refreshTokensToo: true)
        let script = """
            local n = 0
            local ok, err = pcall(function() for row in caspio.records("T") do n = n + 1 end end)
            print(n, ok, err.kind, err.status, err.code)
            for row in caspio.records("T") do end
            """
        let failed = try runLua(
            script, against: fake, environment: ["CASPIO_TOKEN_CACHE": cache, "CASPIO_CLIENT_SECRET": "test-secret-Zq8yW3pL"])
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(failed.stdout == "1000\tfalse\tauth\t401\tinvalid_client\n", "\(failed.stdout)")
        #expect(failed.stderr.hasPrefix("caspio: authentication failed (HTTP 401) invalid_client"), "\(failed.stderr)")
    }

    // MARK: Memory

    @Test func onlyOnePageIsHeldInMemory() throws {
        let fake = try FakeCaspio()
        fake.seed("T", count: 20_000)
        let result = try runLua("""
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
            print(n, peak < 1024, math.floor(peak))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("20000\ttrue\t"), "\(result.stdout)")
        #expect(fake.resourceRequests.count == 21)
    }
}
