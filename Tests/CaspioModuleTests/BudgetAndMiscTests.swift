import CaspioTestSupport
import Foundation
import Testing

/// The request budget, check = false, error tables of every kind, stats, log, config, sleep,
/// env, and that no secret or token ever reaches the output.
@Suite struct BudgetAndMiscTests {
    static let fourGets = """
        for i = 1, 3 do caspio.get("tables") end
        local ok, err = pcall(caspio.get, "tables")
        print(ok, err.kind, err.method, err.url ~= nil, err.status)
        print(tostring(err):match("^budget error: the request budget of %d+ requests is spent") ~= nil)
        print(caspio.stats().requests)
        caspio.get("tables")
        print("not reached")
        """

    @Test func maxRequestsFlagStopsTheFourthRequest() async throws {
        let fake = try await EmulatedCaspio.start()
        let result = try await runLua(Self.fourGets, against: fake, flags: ["--max-requests", "3"])
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stdout == "false\tbudget\tGET\ttrue\tnil\ntrue\n3\n")
        #expect(result.stderr.hasPrefix("caspio: budget error: the request budget of 3 requests is spent"))
        #expect(fake.resourceRequests.count == 3)
    }

    @Test func maxRequestsFromTheEnvironment() async throws {
        let fake = try await EmulatedCaspio.start()
        let result = try await runLua(Self.fourGets, against: fake, environment: ["CASPIO_MAX_REQUESTS": "3"])
        #expect(result.status == 4, "\(result.stderr)")
        #expect(result.stdout == "false\tbudget\tGET\ttrue\tnil\ntrue\n3\n")
        #expect(fake.resourceRequests.count == 3)
        let config = try await runLua("print(caspio.config.max_requests)", against: fake, environment: ["CASPIO_MAX_REQUESTS": "7"])
        #expect(config.stdout == "7\n")
    }

    @Test func theBudgetStopsPagingAndMaps() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 5000)
        let paging = try await runLua("""
            local n = 0
            local ok, err = pcall(function() for row in caspio.records("T") do n = n + 1 end end)
            print(n, ok, err.kind)
            """, against: fake, flags: ["--max-requests", "2"])
        #expect(paging.status == 0, "\(paging.stderr)")
        #expect(paging.stdout == "2000\tfalse\tbudget\n")

        let paged = fake.resourceRequests.count
        let mapped = try await runLua("""
            local items = {}
            for i = 1, 10 do items[i] = i end
            caspio.map(items, function(i) return caspio.table("T"):first({where = {N = i}}) end, {concurrency = 1})
            """, against: fake, flags: ["--max-requests", "4"])
        #expect(mapped.status == 4, "\(mapped.stderr)")
        #expect(mapped.stderr.hasPrefix("caspio: item 5: budget error: "), "\(mapped.stderr)")
        #expect(fake.resourceRequests.count - paged == 4)
    }

    @Test func checkFalseReturnsErrorResponses() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.script([
            // Twice: the run's first such 400 may be a stale token's, so it is replayed once.
            .json(400, ["Code": "IncorrectQueryParameter", "Message": "bad", "RequestId": "r-1"]),
            .json(400, ["Code": "IncorrectQueryParameter", "Message": "bad", "RequestId": "r-1"]),
            .json(409, ["Code": "FileAlreadyExists", "Message": "clash"]),
            .text(500, "<html>oops</html>", contentType: "text/html"),
        ])
        let result = try await runLua("""
            local r = caspio.request("GET", "tables", {check = false})
            print(r.status, r.json.Code, r.request_id ~= nil)
            r = caspio.request("POST", "files", {check = false, json = {a = 1}})
            print(r.status, r.json.Message)
            r = caspio.request("GET", "tables", {check = false})
            print(r.status, r.json, r.body, r.headers["content-type"])
            r = caspio.request("GET", "tables/Nope/records", {check = false})
            print(r.status, r.json.Code)
            -- check = true (the default) raises for the same answers.
            print(pcall(caspio.request, "GET", "tables/Nope/records", {check = true}))
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines[0] == "400\tIncorrectQueryParameter\ttrue")
        #expect(lines[1] == "409\tclash")
        #expect(lines[2] == "500\tnil\t<html>oops</html>\ttext/html")
        #expect(lines[3] == "404\tObjectNotFound")
        #expect(lines[4].hasPrefix("false\tHTTP 404 ObjectNotFound: Cannot find table 'Nope' (GET http"))
    }

    @Test func errorTablesForEveryKind() async throws {
        let emulator = try await EmulatedCaspio.start()
        emulator.script([
            .json(400, ["Code": "SqlServerError", "Message": "Incorrect syntax", "RequestId": "from-body"]),
            .text(502, "Bad Gateway", contentType: "text/plain"),
            TestHTTPServer.Reply(status: 200, headers: [("Content-Type", "application/json")], body: Array("{not json".utf8)),
        ])
        // The second POST's connection is dropped unanswered.
        let posts = Counter()
        let fake = try emulator.fronted { request in
            guard request.method == "POST", !request.path.hasPrefix("/oauth") else { return .forward }
            return posts.next() == 2 ? .close : .forward
        }
        let result = try await runLua("""
            local function show(...)
              local ok, err = pcall(...)
              print(ok, getmetatable(err).__name, err.kind, err.status, err.code, err.method, err.request_id ~= nil)
              print(tostring(err))
            end
            show(caspio.get, "tables")
            show(caspio.post, "tables", {a = 1})
            show(caspio.get, "tables")
            show(caspio.post, "tables", {a = 1})
            show(caspio.request, "GET", "https://elsewhere.example/x")
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 10)
        #expect(lines[0] == "false\tcaspio.error\thttp\t400\tSqlServerError\tGET\ttrue")
        #expect(lines[1].hasPrefix("HTTP 400 SqlServerError: Incorrect syntax (GET http://127.0.0.1:"))
        #expect(lines[1].contains("/integrations/rest/v3/tables, request "))
        // A POST is not retried after a 502 (it may have been applied).
        #expect(lines[2] == "false\tcaspio.error\thttp\t502\tnil\tPOST\ttrue")
        #expect(lines[3].hasPrefix("HTTP 502: \"Bad Gateway\" (POST "), "\(lines[3])")
        #expect(lines[4] == "false\tcaspio.error\thttp\t200\tnil\tGET\ttrue")
        #expect(lines[5].hasPrefix("HTTP 200: the server said the answer is JSON, but it is not"))
        #expect(lines[6] == "false\tcaspio.error\tnetwork\tnil\tnil\tPOST\tfalse")
        #expect(lines[7].hasPrefix("network error: "))
        #expect(lines[8] == "false\tcaspio.error\tconfig\tnil\tnil\tGET\tfalse")
        #expect(lines[9].contains("refusing to send the token to https://elsewhere.example"))
        #expect(!fake.front.requests.contains { $0.uri.contains("elsewhere") })
    }

    @Test func exitStatusFollowsTheKindOfAnUncaughtError() async throws {
        let fake = try await EmulatedCaspio.start()
        let http = try await runLua("caspio.get('tables/Nope/records')", against: fake)
        #expect(http.status == 5)
        let auth = try await runLua("caspio.get('tables')", against: fake, environment: ["CASPIO_CLIENT_SECRET": "wrong"])
        #expect(auth.status == 3, "\(auth.stderr)")
        #expect(auth.stderr.hasPrefix("caspio: authentication failed (HTTP 401) invalid_client"), "\(auth.stderr)")
        #expect(!auth.stderr.contains("wrong"))
        let config = try await runLua("caspio.get('tables')", against: fake, environment: ["CASPIO_CLIENT_ID": ""])
        #expect(config.status == 2, "\(config.stderr)")
        #expect(config.stderr.hasPrefix("caspio: config error: the Caspio account settings are incomplete: missing the client id"), "\(config.stderr)")
        #expect(!config.stderr.contains("stack traceback"), "a setup problem is not a script bug: \(config.stderr)")
        let caught = try await runLua("""
            local ok, err = pcall(caspio.get, "tables")
            print(ok, err.kind)
            print(pcall(function() return caspio.config end))
            print("no API needed")
            """, against: fake, environment: ["CASPIO_CLIENT_ID": ""])
        #expect(caught.status == 0, "\(caught.stderr)")
        #expect(caught.stdout.hasPrefix("false\tconfig\nfalse\t"))
        #expect(caught.stdout.hasSuffix("no API needed\n"))
        let script = try await runLua("error('plain')", against: fake)
        #expect(script.status == 1)
    }

    @Test func statsCountRequestsRowsAndGrants() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1500)
        let result = try await runLua("""
            local before = caspio.stats()
            print(before.requests, next(before.requests_by_method), next(before.grants))
            local t = caspio.table("T")
            for row in t:rows() do end
            t:insert({{Name = "a"}, {Name = "b"}})
            t:update({Name = "a"}, {N = 0})
            t:delete({Name = "b"})
            caspio.get("tables")
            caspio.refresh()
            local s = caspio.stats()
            print(s.requests, s.requests_by_method.GET, s.requests_by_method.POST, s.requests_by_method.PUT, s.requests_by_method.DELETE)
            print(s.rows_read, s.rows_written, s.grants.client_credentials, s.grants.refresh_token, s.retries)
            print(s.bytes_in > 0, s.bytes_out > 0)
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "0\tnil\tnil\n7\t3\t2\t1\t1\n1500\t4\t1\t1\t0\ntrue\ttrue\n")
    }

    @Test func logWritesToStderrOnly() async throws {
        let fake = try await EmulatedCaspio.start()
        let script = """
            caspio.log.info("processed %d rows of %s", 42, "T")
            caspio.log.warn("careful")
            caspio.log.error({})
            caspio.log.debug("details")
            print("stdout only")
            """
        let info = try await runLua(script, against: fake, flags: ["--log-level", "info"])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout == "stdout only\n")
        let lines = info.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0] == "caspio: info: processed 42 rows of T")
        #expect(lines[1] == "caspio: warning: careful")
        #expect(lines[2].hasPrefix("caspio: error: table: "))

        let quiet = try await runLua(script, against: fake)
        #expect(quiet.stderr.split(separator: "\n").count == 2)
        #expect(!quiet.stderr.contains("processed"))

        let json = try await runLua(script, against: fake, flags: ["--log-level", "debug", "--log-format", "json"])
        let records = try json.stderr.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(records.map { $0["message"] as? String } == ["processed 42 rows of T", "careful", records[2]["message"] as? String, "details"])
        #expect(records.map { $0["level"] as? String } == ["info", "warning", "error", "debug"])
        #expect(fake.requests.isEmpty)
    }

    @Test func configShowsTheAccountButNoSecret() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 0)  // one table to list
        let directory = try temporaryDirectory()
        let file = try write("""
            [profiles.staging]
            base_url = "\(fake.baseURL)"
            token_url = "\(fake.tokenURL)"
            client_id = "\(fake.settings.clientID)"
            client_secret_env = "STAGING_SECRET"
            max_requests = 50
            rate = 2.5
            billing_day = 15
            max_requests_per_period = 9000
            """, to: directory.appendingPathComponent("config.toml"))
        let script = """
            local c = caspio.config
            local keys = {}
            for k, v in pairs(c) do keys[#keys + 1] = k .. "=" .. tostring(v) end
            table.sort(keys)
            print(table.concat(keys, "\\n"))
            print(caspio.config == c, #caspio.get("tables").Result)
            """
        let result = try await runLua(
            script, against: fake, flags: ["--profile", "staging"],
            environment: [
                "CASPIO_CONFIG": file.path, "CASPIO_BASE_URL": "", "CASPIO_TOKEN_URL": "", "CASPIO_CLIENT_ID": "",
                "CASPIO_CLIENT_SECRET": "", "STAGING_SECRET": fake.settings.clientSecret,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("profile=staging"))
        #expect(lines.contains("base_url=\(fake.baseURL)"))
        #expect(lines.contains("token_url=\(fake.tokenURL)"))
        #expect(lines.contains("client_id=\(fake.settings.clientID)"))
        #expect(lines.contains("auth_style=body"))
        #expect(lines.contains("max_requests=50"))
        #expect(lines.contains("rate=2.5") && lines.contains("billing_day=15") && lines.contains("max_requests_per_period=9000"))
        #expect(!lines.contains { $0.hasPrefix("max_requests_per_day=") })
        #expect(lines.last == "true\t1")
        #expect(!result.stdout.contains(fake.settings.clientSecret))
        #expect(!result.stdout.lowercased().contains("secret"))

        // Without a profile, there is none to show; the rest comes from the environment.
        let plain = try await runLua(script, against: fake)
        #expect(plain.status == 0, "\(plain.stderr)")
        #expect(!plain.stdout.contains("profile="))
        #expect(plain.stdout.contains("client_id=\(fake.settings.clientID)"))
        #expect(!plain.stdout.contains(fake.settings.clientSecret))
    }

    @Test func sleepAndEnv() async throws {
        let fake = try await EmulatedCaspio.start()
        let started = ContinuousClock.now
        let result = try await runLua("""
            caspio.sleep(0.3)
            caspio.sleep(0)
            print(caspio.env("MY_SETTING"), caspio.env("CASPIO_UNSET_VARIABLE_X"))
            """, against: fake, environment: ["MY_SETTING": "hello world"])
        #expect(started.duration(to: .now) >= .milliseconds(300))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "hello world\tnil\n")
    }

    @Test func noSecretOrTokenIsEverPrinted() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 1200)
        fake.revokeTokens(afterRequests: 1)
        let result = try await runLua("""
            for row in caspio.records("T") do end
            caspio.table("T"):insert({Name = "x"})
            caspio.refresh()
            caspio.auth()
            local ok, err = pcall(caspio.get, "tables/Nope/records")
            print(tostring(err))
            for k, v in pairs(err) do print(k, v) end
            for k, v in pairs(caspio.config) do print(k, v) end
            local s = caspio.stats()
            print(s.requests)
            caspio.log.info("done")
            """, against: fake, flags: ["--log-level", "trace"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("caspio: info: done"))
        #expect(result.stderr.contains("refresh_token"))  // the renewal was logged, by grant name only
        // Every token the emulator ever issued, the secret, and the Basic header.
        let issued = fake.sandbox.issuedTokens
        #expect(fake.tokenRequests.count >= 4 && issued.count >= 4)
        let basic = Data("\(fake.settings.clientID):\(fake.settings.clientSecret)".utf8).base64EncodedString()
        let output = result.stdout + result.stderr
        #expect(!output.contains(fake.settings.clientSecret))
        #expect(!output.contains(basic))
        for token in issued { #expect(!output.contains(token), "a token was printed") }
        #expect(!output.contains("Bearer "))
        // Nor hex-encoded, as an HTTP library's trace of body bytes would show them.
        for text in issued + [fake.settings.clientSecret, "access_token"] {
            let hex = text.utf8.map { String(format: "%02x", $0) }.joined()
            #expect(!output.lowercased().contains(hex), "\(text) appears hex-encoded")
        }
    }
}

/// A count shared with a server's handler.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    /// Adds one; the new count.
    func next() -> Int { lock.withLock { count += 1; return count } }
}
