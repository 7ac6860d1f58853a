import CaspioTestSupport
import Foundation
import Testing

/// caspio.request's options (query, headers, json, body, content_type, timeout), the
/// get/post/put/delete shorthands, and the module table itself.
@Suite struct RequestOptionsTests {
    @Test func optionsReachTheWire() throws {
        let fake = try FakeCaspio()
        let result = try runLua("""
            caspio.request("GET", "/tables", {
              query = {n = 5, f = 2.5, whole = 3.0, yes = true, no = false, text = "a b&c"},
              headers = {Principal = "ada@example.com", ["X-Extra"] = 7},
            })
            caspio.request("POST", "tables", {json = {A = 1, List = caspio.json.array({})}})
            caspio.request("PUT", "tables", {body = "raw,csv\\n1,2", content_type = "text/csv"})
            caspio.request("POST", "tables", {body = "\\0\\255binary"})
            print(pcall(caspio.request, "POST", "tables", {json = {}, body = "x"}))
            print(pcall(caspio.request, "GET", "tables", {query = {bad = {}}}))
            print(pcall(caspio.request, "GET", "tables", {timeout = 0}))
            print(pcall(caspio.request, "GET", "tables", "nope"))
            print(pcall(caspio.request, "GET", "tables", {json = print}))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        let requests = fake.resourceRequests
        #expect(requests.count == 4)
        #expect(requests[0].path.hasSuffix("/integrations/rest/v3/tables"))
        #expect(requests[0].query == ["n": "5", "f": "2.5", "whole": "3", "yes": "true", "no": "false", "text": "a b&c"])
        #expect(requests[0].uri.contains("text=a%20b%26c"))
        #expect(requests[0].header("Principal") == "ada@example.com")
        #expect(requests[0].header("X-Extra") == "7")
        #expect(requests[0].header("Accept") == "application/json")
        #expect(requests[0].header("Authorization")?.hasPrefix("Bearer ") == true)
        #expect(requests[1].header("Content-Type") == "application/json")
        #expect(requests[1].bodyText == #"{"A":1,"List":[]}"# || requests[1].bodyText == #"{"List":[],"A":1}"#)
        #expect(requests[2].header("Content-Type") == "text/csv")
        #expect(requests[2].bodyText == "raw,csv\n1,2")
        #expect(requests[3].body == [0, 255] + Array("binary".utf8))
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        for (i, line) in lines.enumerated() {
            // Bad options point at the script's line, like Lua's own argument errors.
            #expect(line.contains("script.lua:\(8 + i): "), "\(line)")
        }
        #expect(lines[0].hasPrefix("false\t") && lines[0].contains("give opts.json or opts.body, not both"))
        #expect(lines[1].contains("opts.query.bad must be a string, number or boolean (got table)"))
        #expect(lines[2].contains("opts.timeout must be a positive number of seconds"))
        #expect(lines[3].contains("bad argument #3 to 'request' (table of options expected)"))
        #expect(lines[4].contains("opts.json cannot be sent as JSON"))
    }

    @Test func aTimeoutIsATimeoutError() throws {
        let fake = try FakeCaspio()
        fake.settings.resourceDelay = { _ in 3 }
        let started = ContinuousClock.now
        // POST: not retried after a timeout (it may have been applied), so one attempt.
        let result = try runLua("""
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

    @Test func shorthandsDecodeJSONAndReturnOtherAnswersWhole() throws {
        let fake = try FakeCaspio()
        fake.seed("T", count: 3)
        fake.script([
            .json(200, ["Result": ["ok"]]),
            .text(200, "plain text"),
            TestHTTPServer.Reply(status: 204),
        ])
        let result = try runLua("""
            print(caspio.get("anything").Result[1])
            local r = caspio.get("anything")
            print(r.status, r.body, r.json)
            r = caspio.delete("anything")
            print(r.status, r.body == "", r.json)
            print(caspio.get("tables/T/records", {["q.where"] = "N=2"}).Result[1].Name)
            print(caspio.post("tables/T/records", {Name = "new"}, {response = "rows"}).Result[1].PK_ID)
            print(caspio.put("tables/T/records", {Name = "renamed"}, {["q.where"] = "N=1"}).RecordsAffected)
            print(caspio.delete("tables/T/records", {["q.where"] = "N=3"}).RecordsAffected)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "ok\n200\tplain text\tnil\n204\ttrue\tnil\nrow 2\n4\n1\n1\n")
        #expect(fake.resourceRequests.map(\.method) == ["GET", "GET", "DELETE", "GET", "POST", "PUT", "DELETE"])
    }

    @Test func theModuleIsAGlobalAndARequirableModule() throws {
        let fake = try FakeCaspio()
        let result = try runLua("""
            print(require("caspio") == caspio, type(caspio.version), caspio.json.encode({1}))
            local names = {}
            for _, name in ipairs({"request", "get", "post", "put", "delete", "records", "table", "view", "where",
                "map", "parallel", "auth", "refresh", "token", "stats", "sleep", "env"}) do
              if type(caspio[name]) ~= "function" and getmetatable(caspio[name]) == nil then names[#names + 1] = name end
            end
            print(#names == 0, table.concat(names, ","))
            print(type(caspio.log.trace), type(caspio.log.debug), type(caspio.log.info), type(caspio.log.warn), type(caspio.log.error))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "true\tstring\t[1]\ntrue\t\nfunction\tfunction\tfunction\tfunction\tfunction\n")
        #expect(fake.server.requests.isEmpty)
    }
}
