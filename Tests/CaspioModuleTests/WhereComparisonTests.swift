import CaspioTestSupport
import Foundation
import Testing

/// Where tables beyond equality: comparisons, ranges, patterns, negation, NOT NULL and dates,
/// each value quoted; caspio.sql.quote for scripts that build SQL; dates in written rows.
@Suite struct WhereComparisonTests {
    static let clauses: [(String, String)] = [
        ("{Age = {gt = 30}}", "Age>30"),
        ("{Age = {gte = 30, lt = 40}}", "Age>=30 AND Age<40"),
        ("{Age = {lte = 2.5}}", "Age<=2.5"),
        (#"{State = {ne = "CA"}}"#, "State<>'CA'"),
        (#"{State = {eq = "O'Brien"}}"#, "State='O''Brien'"),
        ("{Manager = {eq = caspio.json.null}}", "Manager IS NULL"),
        ("{Manager = {ne = caspio.json.null}}", "Manager IS NOT NULL"),
        ("{Email = caspio.not_null}", "Email IS NOT NULL"),
        (#"{Name = {like = "A%"}}"#, "Name LIKE 'A%'"),
        (#"{Name = {not_like = "%'x"}}"#, "NOT (Name LIKE '%''x')"),
        (#"{State = {["in"] = {"CA", "NY"}}}"#, "State IN ('CA', 'NY')"),
        (#"{State = {not_in = {"CA", "NY"}}}"#, "NOT (State IN ('CA', 'NY'))"),
        ("{N = {between = {1, 9}}}", "N BETWEEN 1 AND 9"),
        ("{N = {not_between = {1, 9}}}", "NOT (N BETWEEN 1 AND 9)"),
        (#"{Joined = {between = {caspio.date.parse("2024-01-01"), {year = 2024, month = 12, day = 31, hour = 23}}}}"#,
         "Joined BETWEEN '2024-01-01T00:00:00' AND '2024-12-31T23:00:00'"),
        (#"{Joined = {gte = caspio.date.parse("2022-07-15T09:30")}}"#, "Joined>='2022-07-15T09:30:00'"),
        (#"{Joined = caspio.date.parse("2021-03-01")}"#, "Joined='2021-03-01T00:00:00'"),
        ("{Age = {[\"not\"] = {gt = 30}}}", "NOT (Age>30)"),
        (#"{State = {["not"] = {"CA", "NY"}}}"#, "NOT (State IN ('CA', 'NY'))"),
        ("{Active = {ne = true}}", "Active<>1"),
        (#"{A = {gt = 1}, B = caspio.not_null, C = "x"}"#, "A>1 AND B IS NOT NULL AND C='x'"),
        (#"{Created = {lt = caspio.where.raw("GETDATE()")}}"#, "Created<GETDATE()"),
    ]

    @Test(arguments: clauses)
    func buildsTheClause(whereTable: String, sql: String) async throws {
        let lua = try InProcessLua()
        #expect(await lua.values("return caspio.where(\(whereTable))") == [.string(sql)])
    }

    static let rejected: [(String, String)] = [
        ("{Age = {gtt = 30}}", "caspio.where: Age has an unknown comparison 'gtt' (use eq, ne, gt, gte, lt, lte, like, not_like, in, not_in, between, not_between, not)"),
        ("{Age = {gt = caspio.json.null}}", "caspio.where: Age is compared with json.null"),
        ("{Age = {gt = 30, 5}}", "caspio.where: Age mixes a list with comparisons"),
        ("{Name = {like = 5}}", "caspio.where: like for Name takes a pattern string (got the number 5)"),
        ("{N = {between = {1}}}", "caspio.where: between for N takes a list of two values, {low, high}"),
        ("{N = {between = {1, 2, 3}}}", "caspio.where: between for N takes a list of two values"),
        ("{N = {not_in = {}}}", "caspio.where: the list for N is empty"),
        ("{N = {[\"in\"] = 5}}", "caspio.where: N needs a list of values (got the number 5)"),
        ("{N = {gt = 0/0}}", "which SQL cannot compare"),
    ]

    @Test(arguments: rejected)
    func rejectsAtTheScriptsLine(clause: String, message: String) async throws {
        let lua = try InProcessLua()
        let failure = await lua.failure("local x = 1\nlocal sql = caspio.where(\(clause))")
        #expect(failure?.hasPrefix("script.lua:2: ") == true, "\(failure ?? "")")
        #expect(failure?.contains(message) == true, "\(failure ?? "")")
    }

    @Test func quoteQuotesAsWhereTablesDo() async throws {
        let lua = try InProcessLua()
        let values = await lua.values(#"""
            local q = caspio.sql.quote
            return q("O'Brien"), q(42), q(0.1), q(true), q(caspio.json.null), q(caspio.date.parse("2024-01-05T09:30"))
            """#)
        #expect(values == ["'O''Brien'", "42", "0.1", "1", "NULL", "'2024-01-05T09:30:00'"])
        #expect(await lua.failure("\nlocal s = caspio.sql.quote({1, 2})")?.hasPrefix("script.lua:2: bad argument #1 to 'quote'") == true)
        #expect(await lua.failure("\nlocal s = caspio.sql.quote(nil)")?.hasPrefix("script.lua:2: bad argument #1 to 'quote'") == true)
    }

    /// The clauses select the rows SQL says they do, on the sandbox (SQLite under Caspio's
    /// syntax), and dates are written as Caspio's text wherever a row holds one.
    @Test func comparisonsAndDatesAgainstTheSandbox() async throws {
        let result = try await runLuaInSandbox("""
            local c = caspio.table("Customers")
            print(c:count({Name = {like = "Customer 00%"}}), c:count({Name = {not_like = "Customer 0%"}}))
            print(c:count({State = {not_in = {"CA", "NY"}}}), c:count({State = {["not"] = "CA"}}))
            local o = caspio.table("Orders")
            print(o:count({Quantity = {gt = 5}}), o:count({Quantity = {between = {2, 3}}}), o:count({Quantity = {gte = 2, lte = 3}}))
            local s = caspio.table("Staff")
            print(s:count({Joined = {between = {caspio.date.parse("2021-01-01"), caspio.date.parse("2022-12-31")}}}))
            local row = s:insert({Name = "Di Fox", Email = "di@example.com", Joined = caspio.date.parse("2025-02-03T04:05:06")})
            local d = {year = 2025, month = 2, day = 3, hour = 4, min = 5, sec = 6}
            print(s:first({where = {Joined = d}}).Name, s:count({Joined = {gt = d}}), s:count({Joined = caspio.not_null}))
            s:update({Email = "di@example.com"}, {Joined = caspio.date.parse("2026-01-01")})
            print(s:first({where = {Email = "di@example.com"}}).Joined)
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            9\t151
            150\t200
            142\t144\t144
            2
            Di Fox\t0\t4
            2026-01-01T00:00:00

            """)
    }
}
