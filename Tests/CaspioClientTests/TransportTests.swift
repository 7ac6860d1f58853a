import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// Retries per method and status, Retry-After, URL building, origin checks, budget, TLS.
@Suite struct TransportTests {
    static let serviceUnavailable = TestHTTPServer.Reply.json(
        503, ["Code": "ServiceUnavailable", "Message": "busy"], headers: [("Retry-After", "0")])
    /// A success for any method (the emulator has no `tables` to PUT or DELETE).
    static let done = TestHTTPServer.Reply.json(200, ["Result": []])

    /// (A POST's 503 is not replayed: FaultTests.)
    @Test(arguments: ["GET", "PUT", "DELETE"])
    func retriesOn503And429ForIdempotentMethods(method: String) async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script([Self.serviceUnavailable, .json(429, ["Code": "TooMany"], headers: [("Retry-After", "0")]), Self.done])
        let response = try await client.send(CaspioRequest(method, "tables", body: method == "GET" ? nil : Array("{}".utf8)))
        await client.shutdown()
        #expect(response.status == 200)
        #expect(fake.resourceRequests.count == 3)
        #expect(client.counters.snapshot.retries == 2)
    }

    @Test(arguments: [(502, "GET", 2), (504, "PUT", 2), (502, "POST", 1), (504, "POST", 1)])
    func gatewayErrorsAreRetriedOnlyForIdempotentMethods(status: Int, method: String, sent: Int) async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script([.json(status, ["Code": "Gateway"]), Self.done])
        let response = try await client.send(CaspioRequest(method, "tables", body: method == "GET" ? nil : Array("{}".utf8)))
        await client.shutdown()
        #expect(fake.resourceRequests.count == sent)
        #expect(response.status == (sent == 2 ? 200 : status))
    }

    @Test func givesUpAfterMaxAttemptsAndReturnsTheLastAnswer() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script(Array(repeating: .json(502, ["Code": "Gateway"]), count: 5))
        let response = try await client.send(CaspioRequest("GET", "tables"))
        await client.shutdown()
        #expect(response.status == 502)
        #expect(fake.resourceRequests.count == 3)
    }

    /// Waiting for the account to reopen is not an attempt: five refusals, then the answer,
    /// with three attempts allowed; `maxRefusals` still bounds an account that never reopens.
    @Test func refusalsDoNotUseUpTheRetryBudget() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script(Array(repeating: Self.serviceUnavailable, count: 5))
        let response = try await client.send(CaspioRequest("GET", "tables"))
        #expect(response.status == 200)
        #expect(fake.resourceRequests.count == 6)
        #expect(client.counters.snapshot.throttled == 5)

        fake.clearRequests()
        fake.script(Array(repeating: Self.serviceUnavailable, count: 12))
        let refused = try await client.send(CaspioRequest("GET", "tables"))
        await client.shutdown()
        #expect(refused.status == 503)
        #expect(fake.resourceRequests.count == RetryPolicy().maxRefusals)
    }

    @Test func retryAfterIsHonouredUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 4, baseDelay: 1, maxDelay: 30)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 7) == 7)
        #expect(policy.delay(beforeRetry: 1, retryAfter: 600) == 30)
        #expect(policy.delay(beforeRetry: 3, retryAfter: nil, random: { $0 }) == 4)  // full jitter's ceiling: 1 * 2^2
        #expect(policy.delay(beforeRetry: 9, retryAfter: nil, random: { $0 }) == 30)
        #expect(parseRetryAfter("120") == 120)
        let date = Date().addingTimeInterval(60)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let parsed = parseRetryAfter(formatter.string(from: date))
        #expect(parsed != nil && abs(parsed! - 60) < 2)
    }

    @Test func timeoutsAreRetriedForGetButNeverForPost() async throws {
        let fake = try await EmulatedCaspio.start()
        // The fake answers from the cooperative pool, which other tests keep busy on 2 cores:
        // the timeout leaves it room, and the slow reply stays well beyond it.
        let client = try makeClient(fake, readTimeout: 1)
        var slow = TestHTTPServer.Reply.json(200, ["Result": []])
        slow.delay = 3
        fake.script([slow])
        let response: CaspioResponse
        do {
            response = try await client.send(CaspioRequest("GET", "tables"))
        } catch {
            await client.shutdown()  // an HTTPClient dropped without shutdown traps, ending the whole run
            throw error
        }
        #expect(response.status == 200)
        // Retried after the timeout (and, on a machine so loaded that the quick reply too is
        // late, again): a GET may be sent more than once.
        #expect(fake.resourceRequests.count >= 2)

        fake.clearRequests()
        fake.script([slow])
        let error = await #expect(throws: CaspioError.self) {
            try await client.send(CaspioRequest("POST", "tables/T/records", body: Array("{}".utf8)))
        }
        await client.shutdown()
        #expect(error?.kind == .timeout)
        #expect(fake.resourceRequests.count == 1)
    }

    @Test func connectionRefusedIsRetriedThenANetworkError() async throws {
        let fake = try await EmulatedCaspio.start()
        let configuration = ClientConfiguration(
            baseURL: URL(string: "http://127.0.0.1:1/rest/v2")!, tokenURL: URL(string: fake.tokenURL)!,
            clientID: fake.settings.clientID, clientSecret: Secret(fake.settings.clientSecret), connectTimeout: 1,
            retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.02))
        let client = try CaspioClient(configuration: configuration, logger: CapturedLogs().logger())
        // The token first, so that only the refused request's retries are counted below (the
        // HTTP client retries a refused connect until the connect timeout, which must still
        // leave a loaded machine room to reach the token endpoint).
        _ = try await client.tokens.validToken()
        let retriesBefore = client.counters.snapshot.retries
        let error = await #expect(throws: CaspioError.self) {
            try await client.send(CaspioRequest("POST", "tables/T/records", body: Array("{}".utf8)))
        }
        await client.shutdown()
        #expect(error?.kind == .network)
        #expect(client.counters.snapshot.retries - retriesBefore == 2)
    }

    @Test func queryValuesSurvivePercentEncoding() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        let hostile = "Name LIKE 'O''Brien%' AND Note = 'a&b=c+d' AND City = 'Zürich 東京' AND Pct = '100%'"
        _ = try await client.send(CaspioRequest("GET", "/tables/Customers/records", query: [("q.where", hostile), ("q.pageSize", "1000")]))
        await client.shutdown()
        let request = try #require(fake.resourceRequests.first)
        #expect(request.path == "/integrations/rest/v3/tables/Customers/records")
        #expect(request.query["q.where"] == hostile)
        #expect(request.query["q.pageSize"] == "1000")
        #expect(!request.uri.contains(" "))
    }

    @Test func absoluteURLsAreAcceptedOnlyOnTheBaseOrigin() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        let same = try await client.send(CaspioRequest("GET", fake.origin + "/rest/v2/tables"))
        #expect(same.status == 200)
        for elsewhere in ["https://evil.example/steal", "http://127.0.0.1:\(fake.running.port + 1)/x", "https://127.0.0.1:\(fake.running.port)/x"] {
            let error = await #expect(throws: CaspioError.self) { try await client.send(CaspioRequest("GET", elsewhere)) }
            #expect(error?.kind == .config)
            #expect(error?.message.contains("refusing to send the token") == true)
        }
        await client.shutdown()
        #expect(fake.resourceRequests.count == 1)
    }

    @Test func overlongURIsAreRefusedBeforeSending() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        let longWhere = String(repeating: "Name='x' OR ", count: 200)
        let error = await #expect(throws: CaspioError.self) {
            try await client.send(CaspioRequest("GET", "tables/T/records", query: [("q.where", longWhere)]))
        }
        await client.shutdown()
        #expect(error?.message.contains("2047") == true)
        #expect(fake.resourceRequests.isEmpty)
    }

    @Test func theBudgetStopsBeforeTheRequestThatWouldExceedIt() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake, maxRequests: 3)
        for _ in 0..<3 { _ = try await client.send(CaspioRequest("GET", "tables")) }
        let error = await #expect(throws: CaspioError.self) { try await client.send(CaspioRequest("GET", "tables")) }
        await client.shutdown()
        #expect(error?.kind == .budget)
        #expect(fake.resourceRequests.count == 3)
        #expect(client.counters.snapshot.requests == 3)
        #expect(client.counters.snapshot.requestsByMethod == ["GET": 3])
    }

    @Test func jsonBodiesCarryTheJSONContentType() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        _ = try await client.send(CaspioRequest("POST", "tables/T/records", body: Array("{\"a\":1}".utf8)))
        _ = try await client.send(CaspioRequest("DELETE", "tables/T/records", query: [("q.where", "a=1")]))
        await client.shutdown()
        #expect(fake.resourceRequests[0].header("Content-Type") == "application/json")
        #expect(fake.resourceRequests[1].header("Content-Type") == nil)
    }

    @Test func httpsWithATestCA() async throws {
        let certificates = try await TestCertificates.make()
        let fake = try await EmulatedCaspio.start()
        let https = try fake.https(certificates)
        let trusted = try makeClient(https, caFile: certificates.caFile)
        let response = try await trusted.send(CaspioRequest("GET", "tables"))
        await trusted.shutdown()
        #expect(response.status == 200)

        fake.clearRequests()
        let untrusting = try makeClient(https)
        let error = await #expect(throws: CaspioError.self) { try await untrusting.send(CaspioRequest("GET", "tables")) }
        await untrusting.shutdown()
        #expect(error?.message.contains("TLS") == true)
        #expect(fake.requests.isEmpty)
    }

    @Test func noSecretOrTokenReachesTheLogs() async throws {
        let fake = try await EmulatedCaspio.start()
        let logs = CapturedLogs()
        let directory = temporaryPath("cache")
        let client = try makeClient(fake, cache: directory, logs: logs)
        _ = try await client.send(CaspioRequest("GET", "tables"))
        fake.revokeAccessTokens()
        fake.script([Self.serviceUnavailable])
        _ = try await client.send(CaspioRequest("GET", "tables"))
        _ = try await client.tokens.refresh()
        _ = try await client.tokens.authenticate()
        await client.shutdown()
        let text = logs.text
        #expect(!text.isEmpty)
        #expect(!text.contains(fake.settings.clientSecret))
        let tokens = fake.sandbox.issuedTokens
        #expect(tokens.count >= 4, "the first token pair, and the renewed and granted access tokens")
        for token in tokens { #expect(!text.contains(token)) }
    }
}
