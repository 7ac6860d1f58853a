import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// caspio.request's options (query, headers, json, body, content_type, timeout), the
/// get/post/put/delete shorthands, and the module table itself; in process but for the
/// timeout's exit status. Bad options: UsageTests.
@Suite struct RequestOptionsTests {
    @Test func optionsReachTheWire() async throws {
        let fake = try await EmulatedCaspio.start()
        // About what is sent: whatever it asks, each is answered as a success.
        fake.script(Array(repeating: .json(200, ["Result": []]), count: 4))
        let lua = try InProcessLua(fake)
        _ = await lua.values("""
            caspio.request("GET", "/tables", {
              query = {n = 5, f = 2.5, whole = 3.0, yes = true, no = false, text = "a b&c"},
              headers = {Principal = "ada@example.com", ["X-Extra"] = 7},
            })
            caspio.request("POST", "tables", {json = {A = 1, List = caspio.json.array({})}})
            caspio.request("PUT", "tables", {body = "raw,csv\\n1,2", content_type = "text/csv"})
            caspio.request("POST", "tables", {body = "\\0\\255binary"})
            """)
        let requests = fake.resourceRequests
        #expect(requests.count == 4)
        #expect(requests.first?.path.hasSuffix("/integrations/rest/v3/tables") == true)
        #expect(requests.first?.query == ["n": "5", "f": "2.5", "whole": "3", "yes": "true", "no": "false", "text": "a b&c"])
        #expect(requests.first?.uri.contains("text=a%20b%26c") == true)
        #expect(requests.first?.header("Principal") == "ada@example.com")
        #expect(requests.first?.header("X-Extra") == "7")
        #expect(requests.first?.header("Accept") == "application/json")
        #expect(requests.first?.header("Authorization")?.hasPrefix("Bearer ") == true)
        guard requests.count == 4 else { return }
        #expect(requests[1].header("Content-Type") == "application/json")
        #expect(requests[1].bodyText == #"{"A":1,"List":[]}"# || requests[1].bodyText == #"{"List":[],"A":1}"#)
        #expect(requests[2].header("Content-Type") == "text/csv")
        #expect(requests[2].bodyText == "raw,csv\n1,2")
        #expect(requests[3].body == [0, 255] + Array("binary".utf8))
    }

    @Test func badOptionsSendNothing() async throws {
        let fake = try await EmulatedCaspio.start()
        let lua = try InProcessLua(fake)
        let message = await lua.failure(#"caspio.request("GET", "tables", {query = {ok = 1, bad = {}}})"#)
        #expect(message == "script.lua:1: opts.query.bad must be a string, number or boolean (got table)")
        #expect(fake.requests.isEmpty)
    }

    @Test func aTimeoutIsATimeoutError() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.delay { _ in 3 }
        let started = ContinuousClock.now
        // POST: not retried after a timeout (it may have been applied), so one attempt.
        let result = try await runLua("""
            local ok, err = pcall(caspio.request, "POST", "tables", {json = {}, timeout = 0.2})
            print(ok, err.kind, err.method)
            caspio.request("POST", "tables", {json = {}, timeout = 0.2})
            """, against: fake)
        #expect(started.duration(to: .now) < .seconds(3))
        #expect(result.status == 124, "\(result.stderr)")
        #expect(result.stdout == "false\ttimeout\tPOST\n")
        #expect(result.stderr.hasPrefix("caspio: timeout error: "))
        #expect(fake.resourceRequests.count == 2)
    }

    @Test func shorthandsDecodeJSONAndReturnOtherAnswersWhole() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 3)
        fake.script([
            .json(200, ["Result": ["ok"]]),
            .text(200, "plain text"),
            TestHTTPServer.Reply(status: 204),
        ])
        let lua = try InProcessLua(fake)
        let values = await lua.values("""
            local first = caspio.get("anything").Result[1]
            local r = caspio.get("anything")
            local text = string.format("%d %s %s", r.status, r.body, tostring(r.json))
            r = caspio.delete("anything")
            local empty = string.format("%d %s %s", r.status, tostring(r.body == ""), tostring(r.json))
            return first, text, empty,
              caspio.get("tables/T/records", {["q.where"] = "N=2"}).Result[1].Name,
              caspio.post("tables/T/records", {Name = "new"}, {response = "rows"}).Result[1].PK_ID,
              caspio.put("tables/T/records", {Name = "renamed"}, {["q.where"] = "N=1"}).RecordsAffected,
              caspio.delete("tables/T/records", {["q.where"] = "N=3"}).RecordsAffected
            """)
        #expect(values == ["ok", "200 plain text nil", "204 true nil", "row 2", 4, 1, 1])
        #expect(fake.resourceRequests.map(\.method) == ["GET", "GET", "DELETE", "GET", "POST", "PUT", "DELETE"])
    }

    static let functions = [
        "request", "get", "post", "put", "delete", "records", "table", "view", "map", "parallel", "auth", "refresh",
        "token", "stats", "sleep", "env", "atexit", "log.trace", "log.debug", "log.info", "log.warn", "log.error",
        "files.upload", "files.download", "files.list", "files.info", "files.delete", "attachments.upload",
        "attachments.download", "state.get", "state.set", "state.all", "state.path", "where.raw",
    ]

    @Test(arguments: functions)
    func theModuleHasTheFunction(name: String) async throws {
        let lua = try InProcessLua()
        #expect(await lua.values("return type(caspio.\(name))") == ["function"])
    }

    @Test func theModuleIsAGlobalAndARequirableModule() async throws {
        let lua = try InProcessLua()
        let values = await lua.values("""
            return require("caspio") == caspio, type(caspio.version), caspio.json.encode({1}),
              getmetatable(caspio.where).__call ~= nil
            """)
        #expect(values == [true, "string", "[1]", true])
    }
}
