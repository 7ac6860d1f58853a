import CaspioTestSupport
import Foundation
import NIOConcurrencyHelpers
import Testing

@testable import CaspioClient

/// A client in front of a `FaultyServer` that forwards to `fake` what it does not break;
/// tokens come from `fake` directly.
func makeFaultyClient(
    _ faulty: FaultyServer, _ fake: EmulatedCaspio, logs: CapturedLogs = CapturedLogs(),
    retry: RetryPolicy = RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05),
    maxResponseBytes: Int = ClientConfiguration.defaultMaxResponseBytes, clock: any Clock<Duration> = ContinuousClock()
) throws -> CaspioClient {
    var configuration = ClientConfiguration(
        baseURL: URL(string: faulty.origin + "/integrations/rest/v3")!, tokenURL: URL(string: fake.tokenURL)!,
        clientID: fake.settings.clientID, clientSecret: Secret(fake.settings.clientSecret), connectTimeout: 2,
        readTimeout: 10, retry: retry)
    configuration.maxResponseBytes = maxResponseBytes
    return try CaspioClient(configuration: configuration, logger: logs.logger(), clock: clock)
}

/// The client under a misbehaving server: every exchange bounded in time and size, writes
/// never replayed when the server may have applied them, retries with the current token.
@Suite struct FaultTests {
    /// A body sent a byte at a time never trips the read timeout (10 s here); the request's
    /// `timeout` bounds the whole exchange all the same.
    @Test func aDrippingBodyEndsAtTheRequestsTimeout() async throws {
        let fake = try await EmulatedCaspio.start()
        let body = Array(#"{"Result":[]}"#.utf8) + Array(repeating: UInt8(ascii: " "), count: 200)
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            request.path.hasSuffix("/tables") ? .drip(status: 200, body: body, every: 0.05) : .forward
        }
        defer { faulty.shutdown() }
        let client = try makeFaultyClient(faulty, fake)
        // Off Swift's pool, and timed where it runs: a busy pool must not pass for a slow request.
        let (outcome, elapsed) = await Task(executorPreference: RequestExecutor.shared) { () async -> (Result<CaspioResponse, CaspioError>, Double) in
            let started = Date()
            do throws(CaspioError) {
                let response = try await client.send(CaspioRequest("POST", "tables", body: Array("{}".utf8), timeout: 0.4))
                return (.success(response), Date().timeIntervalSince(started))
            } catch {
                return (.failure(error), Date().timeIntervalSince(started))
            }
        }.value
        await client.shutdown()
        let error = #expect(throws: CaspioError.self) { try outcome.get() }
        #expect(error?.kind == .timeout)
        #expect(error?.message.contains("longer than its timeout of 0.4s") == true, "\(String(describing: error))")
        #expect(elapsed < 5, "the dripping body would have taken 10 s: \(elapsed)")
        #expect(faulty.requests.filter { $0.path.hasSuffix("/tables") }.count == 1)
    }

    /// A body that never ends is cut at `max_response_bytes`, with an error that names it.
    @Test func anEndlessBodyIsAnErrorNamingTheLimit() async throws {
        let fake = try await EmulatedCaspio.start()
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            request.path.hasSuffix("/tables") ? .endless(status: 200, chunk: Array(repeating: UInt8(ascii: " "), count: 16384)) : .forward
        }
        defer { faulty.shutdown() }
        let client = try makeFaultyClient(faulty, fake, maxResponseBytes: 1 << 20)
        // Off Swift's pool: a busy pool would starve the reading into a timeout, and a retry.
        let outcome = await withTaskExecutorPreference(RequestExecutor.shared) { () async -> Result<CaspioResponse, CaspioError> in
            do throws(CaspioError) { return .success(try await client.send(CaspioRequest("GET", "tables", timeout: 20))) } catch { return .failure(error) }
        }
        await client.shutdown()
        let error = #expect(throws: CaspioError.self) { try outcome.get() }
        #expect(error?.kind == .http)
        #expect(error?.message.contains("larger than max_response_bytes (1 MB)") == true, "\(String(describing: error))")
        #expect(faulty.requests.filter { $0.path.hasSuffix("/tables") }.count == 1, "a size limit is not retried")
    }

    /// A 503 that comes after the row was written: the POST is not sent again (one row), and
    /// the 503 is the answer. A GET is still retried after its 503.
    @Test func a503AfterTheWriteIsNotReplayed() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 0)
        let gets = NIOLockedCounter()
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            switch request.method {
            case "POST": return .forwardThenFail(then: .status(503))
            case "GET" where gets.increment() == 1:
                return .reply(.json(503, ["Code": "ServiceUnavailable"], headers: [("Retry-After", "0")]))
            default: return .forward
            }
        }
        defer { faulty.shutdown() }
        let client = try makeFaultyClient(faulty, fake)
        let response = try await client.send(CaspioRequest("POST", "tables/T/records", body: Array(#"{"Name":"a"}"#.utf8)))
        #expect(response.status == 503)
        #expect(try fake.rows("T").count == 1, "the row was written once")
        #expect(faulty.requests.filter { $0.method == "POST" }.count == 1)

        let read = try await client.send(CaspioRequest("GET", "tables/T/records"))
        await client.shutdown()
        #expect(read.status == 200)
        #expect(faulty.requests.filter { $0.method == "GET" }.count == 2, "a GET's 503 is retried")
    }

    /// A retry carries the token current when it starts: renewed by another request during
    /// the retry's pause, the old one is not sent again. The pause is the client's clock's
    /// (virtual here): it ends when the test moves the time on.
    @Test func aRetryTakesTheCurrentToken() async throws {
        let fake = try await EmulatedCaspio.start()
        let gets = NIOLockedCounter()
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            guard request.method == "GET", gets.increment() == 1 else { return .forward }
            return .reply(.json(502, ["Code": "Gateway"], headers: [("Retry-After", "30")]))
        }
        defer { faulty.shutdown() }
        let clock = TestClock()
        let client = try makeFaultyClient(faulty, fake, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 60), clock: clock)
        let first = try await client.tokens.validToken()
        async let answer = client.send(CaspioRequest("GET", "tables"))
        #expect(await eventually(seconds: 10) { gets.value >= 1 && clock.sleeping == 1 })
        let renewed = try await client.tokens.authenticate()
        #expect(gets.value == 1, "the retry waits for the clock")
        clock.advance(by: .seconds(30))
        #expect(renewed.accessToken != first.accessToken)
        let response = try await answer
        await client.shutdown()
        #expect(response.status == 200)
        let sent = faulty.requests.filter { $0.method == "GET" }.compactMap { $0.header("Authorization") }
        #expect(sent == ["Bearer " + first.accessToken.reveal(), "Bearer " + renewed.accessToken.reveal()])
    }

    /// A script's own Authorization header would go out beside the client's: refused.
    @Test func aUserAuthorizationHeaderIsRefused() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        let error = await #expect(throws: CaspioError.self) {
            try await client.send(CaspioRequest("GET", "tables", headers: [("authorization", "Bearer mine")]))
        }
        await client.shutdown()
        #expect(error?.kind == .config)
        #expect(error?.message.contains("remove Authorization from opts.headers") == true)
        #expect(fake.resourceRequests.isEmpty)
    }
}

/// A counter shared with a server's handler.
final class NIOLockedCounter: Sendable {
    private let box = NIOLockedValueBox(0)
    var value: Int { box.withLockedValue { $0 } }
    /// Adds one; the new value.
    func increment() -> Int { box.withLockedValue { $0 += 1; return $0 } }
}

/// Polls `condition` until it holds or `seconds` pass, without blocking a thread.
func eventually(seconds: Double, _ condition: @Sendable () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return condition()
}
