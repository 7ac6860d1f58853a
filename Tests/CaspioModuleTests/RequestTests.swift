import CaspioTestSupport
import Foundation
import Testing

/// caspio.request and its shorthands, the error tables, auth/refresh/token.
@Suite struct RequestTests {
    @Test func requestReturnsAResponseTable() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("Customers", count: 3)
        let result = try await runLua("""
            local r = caspio.request("GET", "tables/Customers/records", {query = {["q.limit"] = 2, ["q.select"] = "PK_ID,Name"}})
            print(math.type(r.status), r.status, r.headers["content-type"], #r.json.Result, type(r.body), r.request_id ~= nil)
            print(r.json.Result[1].Name, math.type(r.json.Result[1].PK_ID))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "integer\t200\tapplication/json; charset=utf-8\t2\tstring\ttrue\nrow 1\tinteger\n")
        let request = try #require(fake.resourceRequests.first)
        #expect(request.query["q.limit"] == "2")
        #expect(request.query["q.select"] == "PK_ID,Name")
    }

    @Test func httpErrorsRaiseTablesThatReadWell() async throws {
        let fake = try await EmulatedCaspio.start()
        let result = try await runLua("""
            local ok, err = pcall(caspio.get, "tables/Custmers/records")
            print(ok, err.kind, err.status, err.code, err.method, err.request_id ~= nil)
            print(err.message)
            print(tostring(err):match("^HTTP 404 ObjectNotFound: Cannot find table 'Custmers' %(GET http.-/tables/Custmers/records, request .+%)$") ~= nil)
            local r = caspio.request("GET", "tables/Custmers/records", {check = false})
            print(r.status, r.json.Code)
            caspio.get("tables/Custmers/records")
            """, against: fake)
        #expect(result.status == 5, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines[0] == "false\thttp\t404\tObjectNotFound\tGET\ttrue")
        #expect(lines[1] == "Cannot find table 'Custmers'")
        #expect(lines[2] == "true")
        #expect(lines[3] == "404\tObjectNotFound")
        #expect(result.stderr.hasPrefix("caspio: HTTP 404 ObjectNotFound: Cannot find table 'Custmers'"))
        #expect(result.stderr.contains("stack traceback:"))
    }

    @Test func authRefreshAndTokenNeverExposeTheTokenElsewhere() async throws {
        let fake = try await EmulatedCaspio.start()
        let result = try await runLua("""
            local a = caspio.auth()
            print(a.token_type, a.source, math.type(a.expires_in), math.type(a.expires_at), a.access_token, a.refresh_token)
            local r = caspio.refresh()
            print(r.source, r.expires_in > 86000)
            print(#caspio.token() > 0)
            local s = caspio.stats()
            print(s.grants.client_credentials, s.grants.refresh_token)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "bearer\tnetwork\tinteger\tinteger\tnil\tnil\nnetwork\ttrue\ntrue\n1\t1\n")
        #expect(fake.grants == ["client_credentials": 1, "refresh_token": 1])
    }
}
