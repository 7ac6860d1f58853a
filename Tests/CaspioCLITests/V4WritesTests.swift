import CaspioTestSupport
import Foundation
import Testing

/// Writes on REST API v4 (`caspio run --sandbox` with CASPIO_SANDBOX_API=4): bulk inserts in
/// chunks of 1,000 with a 207 reported per row, update and delete as one bulk call each,
/// always-true where clauses refused before sending (v3 too), the by-PK helpers on both
/// versions, upsert and import.
@Suite struct V4WritesTests {
    static let v4 = ["CASPIO_SANDBOX_API": "4"]

    /// Requests of one method so far, for deltas.
    static let calls = """
        local function calls(method) return caspio.stats().requests_by_method[method] or 0 end

        """

    @Test func twoThousandFiveHundredRowsInsertInThreeBulkCalls() async throws {
        let result = try await runLuaInSandbox(luaExpectError + Self.calls + """
            local t = caspio.table("Orders")
            local before = t:count()
            local rows = {}
            for i = 1, 2500 do rows[i] = {Customer_ID = 1, Product_ID = 1, Quantity = i, Shipped = i % 2 == 0} end
            local stored = t:insert(rows)
            local ok = #stored == 2500
            for i, row in ipairs(stored) do ok = ok and math.type(row.PK_ID) == "integer" and row.Quantity == i end
            print("bulk", calls("POST"), ok, t:count() - before)
            local one = t:insert({Customer_ID = 2, Product_ID = 1, Quantity = 7, Shipped = false})
            print("one", calls("POST"), math.type(one.PK_ID), t:get(one.PK_ID).Quantity)
            print("chunk", #t:insert(rows, {chunk = 600, concurrency = 2}), calls("POST"))
            expect_error(t.insert, t, rows, {chunk = 1001})
            expect_error(t.insert, t, rows, {chunk = 0})
            print("empty", #t:insert({}), calls("POST"))
            """, flags: ["-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            bulk\t3\ttrue\t2500
            one\t4\tinteger\t7
            chunk\t2500\t9
            error\tchunk must be an integer from 1 to 1000 (got the number 1001)
            error\tchunk must be an integer from 1 to 1000 (got the number 0)
            empty\t0\t9

            """)
        #expect(result.stderr.contains("/records/bulk"))
    }

    @Test func aMultiStatusNamesTheFailedPositionsAndKeepsTheRest() async throws {
        let result = try await runLuaInSandbox(Self.calls + """
            local t = caspio.table("Orders")
            local before = t:count()
            local rows = {}
            for i = 1, 6 do rows[i] = {Customer_ID = 1, Product_ID = 1, Quantity = (i == 2 or i == 3 or i == 5) and "lots" or i} end
            local ok, e = pcall(t.insert, t, rows)
            print(ok, e.kind, e.status, #e.failed, #e.inserted, t:count() - before)
            local indexes = {}
            for i, f in ipairs(e.failed) do indexes[i] = f.index .. "=" .. f.status end
            print(table.concat(indexes, ","), e.inserted[1].Quantity, math.type(e.inserted[3].PK_ID), e.inserted[3].Quantity)
            print(tostring(e))
            -- The documented retry: fix just the failures and send them again.
            local retry = {}
            for i, f in ipairs(e.failed) do
              f.row.Quantity = 0
              retry[i] = f.row
            end
            print(#t:insert(retry), t:count() - before, calls("POST"))
            local one, single = pcall(t.insert, t, {Customer_ID = 1, Product_ID = 1, Quantity = "lots"})
            print(one, single.status, single.failed)
            """, environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "false\thttp\t207\t3\t3\t3")
        #expect(lines[1] == "2=400,3=400,5=400\t1\tinteger\t6")
        #expect(lines[2].hasPrefix("HTTP 207: 3 of 6 rows not inserted, 3 inserted (the error's `inserted` holds those with their PK_IDs, `failed` the others): rows 2-3, 5: "), "\(lines[2])")
        #expect(lines[2].contains("'Quantity'") && lines[2].hasSuffix(" (400) (POST tables/Orders/records/bulk)"), "\(lines[2])")
        #expect(lines[3] == "3\t6\t2")
        #expect(lines[4] == "false\t400\tnil")
    }

    @Test func updateAndDeleteAreOneCallEachAndCountTheRows() async throws {
        let result = try await runLuaInSandbox(Self.calls + """
            local t = caspio.table("Customers")
            local ca = t:count({State = "CA"})
            local gets = calls("GET")
            print(t:update({State = "CA"}, {State = "California"}) == ca, calls("PATCH"))
            print(t:delete({State = "California"}) == ca, calls("DELETE"), t:count({State = "California"}))
            print(t:update({State = "nowhere"}, {State = "X"}), t:delete({State = "nowhere"}), calls("PATCH"), calls("DELETE"))
            -- The answers carry the count: only the first write counted first.
            print("counted first", calls("GET") - gets - 1)
            """, flags: ["-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "true\t1\ntrue\t1\t0\n0\t0\t2\t2\ncounted first\t1\n")
        #expect(result.stderr.contains("PATCH ") && result.stderr.contains("/records/bulk"))
    }

    /// On v3 and v4 alike: nothing is sent, and the message names the fix.
    @Test(arguments: [false, true]) func anAlwaysTrueWhereSendsNothing(v4: Bool) async throws {
        let result = try await runLuaInSandbox(luaExpectError + Self.calls + """
            local t = caspio.table("Customers")
            for _, where in ipairs({"1=1", "PK_ID>0", "PK_ID IS NOT NULL", "(State = 'CA') OR 1 = 1", "PK_ID >= 1 AND 2=2"}) do
              expect_error(t.delete, t, where)
            end
            expect_error(t.delete, t, {PK_ID = {gt = 0}})
            expect_error(t.delete, t, {PK_ID = caspio.not_null})
            expect_error(t.update, t, "1=1", {State = "X"})
            print("writes", calls("PUT") + calls("PATCH") + calls("DELETE"), "reads", calls("GET"))
            local products = caspio.table("Products")
            print(products:delete("PK_ID > 0", {all = true}), products:count(), products:delete(nil, {all = true}))
            """, environment: v4 ? Self.v4 : [:])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 10, "\(result.stdout)")
        #expect(lines[0] == #"error\#trefusing to delete every row of Customers: the where clause "1=1" is true of every row; to mean every row: t:delete(nil, {all = true})"#)
        #expect(lines[5].contains(#"the where clause "PK_ID>0" is true of every row"#))
        #expect(lines[6].contains(#"the where clause "PK_ID IS NOT NULL" is true of every row"#))
        #expect(lines[7] == #"error\#trefusing to update every row of Customers: the where clause "1=1" is true of every row; to mean every row: t:update(nil, fields, {all = true})"#)
        for line in lines[0..<8] { #expect(line.hasPrefix("error\trefusing to"), "\(line)") }
        #expect(lines[8] == "writes\t0\treads\t0")
        #expect(lines[9].hasSuffix("\t0\t0"), "\(lines[9])")
    }

    @Test func caspiosOwnGuardShowsItsRemediation() async throws {
        let result = try await runLuaInSandbox(Self.calls + """
            local ok, e = pcall(caspio.table("Customers").delete, caspio.table("Customers"), "Name LIKE '%' OR Name IS NULL")
            print(e.status, e.code, e.remediation ~= nil)
            print(tostring(e))
            """, environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "400\tAlwaysTrueCondition\ttrue")
        #expect(lines.last?.hasPrefix("HTTP 400 AlwaysTrueCondition: ") == true)
        #expect(lines.last?.contains(") Remediation: Narrow the where clause") == true, "\(lines)")
    }

    @Test func quotesInValuesOnV4() async throws {
        let result = try await runLuaInSandbox("""
            local t = caspio.table("Customers")
            local row = t:insert({Name = "Ann O'Hara", State = "CA", Email = "ann'o@example.com"})
            print(t:count({Name = "Ann O'Hara"}), t:get(row.PK_ID).Email)
            print(t:update({Name = "Ann O'Hara"}, {Name = "Ann O'Neil's"}), t:first({where = {PK_ID = row.PK_ID}}).Name)
            print(t:delete({Name = "Ann O'Neil's", Email = "ann'o@example.com"}), t:get(row.PK_ID))
            """, environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "1\tann'o@example.com\n1\tAnn O'Neil's\n1\tnil\n")
    }

    /// The same script on both versions: v4 by the record's path, v3 by `PK_ID = pk`.
    @Test(arguments: [false, true]) func byPKHelpers(v4: Bool) async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            local t = caspio.table("Customers")
            local row = t:insert({Name = "Pat", State = "WA", Email = "pat@example.com"})
            print(t:get(row.PK_ID).Name, t:patch(row.PK_ID, {State = "OR"}), t:get(row.PK_ID).State)
            print(t:remove(row.PK_ID), t:get(row.PK_ID), t:patch(row.PK_ID, {State = "X"}), t:remove(row.PK_ID))
            expect_error(t.get, t, "")
            expect_error(t.patch, t, row.PK_ID, {})
            """, flags: ["-v"], environment: v4 ? Self.v4 : [:])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            Pat\t1\tOR
            1\tnil\t0\t0
            error\tbad argument #1 to 'get' (a PK_ID expected, got the string "")
            error\tbad argument #2 to 'patch' (table of fields expected)

            """)
        if v4 { #expect(result.stderr.contains("PATCH ") && !result.stderr.contains("/records/bulk?")) }
    }

    @Test func upsertOnV4InsertsInBulkAndGroupsIdenticalChanges() async throws {
        let result = try await runLuaInSandbox(Self.calls + """
            local t = caspio.table("Customers")
            local rows = {}
            for i = 1, 1500 do rows[i] = {Email = "u" .. i .. "@example.com", Name = "U" .. i, State = "CA"} end
            local c = t:upsert(rows, {key = "Email"})
            print(c.inserted, c.updated, c.unchanged, calls("POST"))
            for i = 1, 10 do rows[i].State = "NY" end
            rows[11].Name = "Eleven"
            rows[1501] = {Email = "new@example.com", Name = "New", State = "TX"}
            c = t:upsert(rows, {key = "Email"})
            print(c.inserted, c.updated, c.unchanged, calls("POST"), calls("PATCH"))
            print(t:count({Email = {like = "u%@example.com"}, State = "NY"}), t:first({where = {Email = "u11@example.com"}}).Name)
            c = t:upsert(rows, {key = "Email"})
            print(c.inserted, c.updated, c.unchanged, calls("POST"), calls("PATCH"))
            """, environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "1500\t0\t0\t2\n1\t11\t1489\t3\t2\n10\tEleven\n0\t0\t1501\t3\t2\n")
    }

    /// A dry run on v4 sends no write: each is reported in v4's form (bulk calls with their
    /// rows, by PK_ID), answered by a stand-in shaped as v4's answer, and the table is unchanged.
    @Test func aDryRunOnV4SendsNoWrite() async throws {
        let result = try await runLuaInSandbox("""
            local t = caspio.table("Customers")
            local rows = t:insert({ { Name = "A", Email = "a@x.com", State = "WA" }, { Name = "B", Email = "b@x.com", State = "WA" } })
            print("inserted", #rows, rows[1].PK_ID, rows[2].PK_ID)
            print("updated", t:update("State = 'CA'", { State = "NV" }))
            print("deleted", t:delete("State = 'NY'"))
            print("patched", t:patch(3, { Name = "Z" }))
            print("left", t:count(), t:count("State = 'CA'"))
            """, flags: ["--dry-run"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "inserted\t2\t251\t252\nupdated\t50\ndeleted\t50\npatched\t1\nleft\t250\t50\n", "\(result.stdout)")
        let id = try #require(result.stderr.firstMatch(of: /POST tables\/([a-z0-9]{6})\/records\/bulk \[/)?.1)
        for line in ["PATCH tables/\(id)/records/bulk {\"recordValues\":{\"State\":\"NV\"},\"where\":\"State = 'CA'\"}",
                     "DELETE tables/\(id)/records/bulk {\"where\":\"State = 'NY'\"}", "PATCH tables/\(id)/records/3 {\"Name\":\"Z\"}",
                     "dry run: 4 writes not sent"] {
            #expect(result.stderr.contains(line), "\(line)\n\(result.stderr)")
        }
    }

    @Test func importOnV4() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var csv = "Email,Name,State\n"
        for i in 1...1200 { csv += "i\(i)@example.com,\"Imported \(i)\",WA\n" }
        let file = try write(csv, to: directory.appendingPathComponent("rows.csv"))
        var env = Self.v4
        env["HOME"] = directory.path
        env["CASPIO_CONFIG"] = directory.path + "/none.toml"
        for variable in ["CASPIO_BASE_URL", "CASPIO_TOKEN_URL", "CASPIO_CLIENT_ID", "CASPIO_CLIENT_SECRET", "CASPIO_ACCOUNT", "CASPIO_PROFILE"] {
            env[variable] = ""
        }
        for key in [["--key", "Email"], []] {
            let result = try await caspio(["import", "Customers", file.path, "--sandbox", "--no-lock", "--summary"] + key, environment: env, directory: directory)
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stderr.contains(key.isEmpty ? "Customers: 1200 rows inserted" : "Customers: 1200 rows: 1200 inserted, 0 updated, 0 unchanged"),
                    "\(result.stderr)")
            // The schema listing (the design and names to ids in one), the table read whole
            // (key lookups only), two bulk inserts.
            #expect(result.stderr.contains(key.isEmpty ? "requests 3 (GET 1, POST 2)" : "requests 4 (GET 2, POST 2)"), "\(result.stderr)")
        }
    }
}
