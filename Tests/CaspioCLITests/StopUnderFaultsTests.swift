import CaspioTestSupport
import Foundation
import Testing

/// A stop (SIGTERM, Ctrl-C, --timeout) against a server that never answers: the request in
/// flight is cancelled, no retry starts, and the run ends within 2 s with its usual code.
@Suite struct StopUnderFaultsTests {
    /// A run of `source` whose resource requests go through `faulty` (tokens straight from `fake`).
    static func box(_ source: String, _ fake: EmulatedCaspio, _ faulty: FaultyServer) throws -> ScriptSandbox {
        var box = try ScriptSandbox(source, fake: fake)
        box.environment["CASPIO_BASE_URL"] = faulty.origin + "/integrations/rest/v3"
        return box
    }

    static func hangingTables(_ fake: EmulatedCaspio) throws -> FaultyServer {
        try FaultyServer(upstream: fake.origin) { $0.path.hasSuffix("/tables") ? .hang : .forward }
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalCancelsAHungRequestAndStartsNoRetry(signal: Int32, status: Int32) async throws {
        let fake = try await EmulatedCaspio.start()
        let faulty = try Self.hangingTables(fake)
        defer { faulty.shutdown() }
        let box = try Self.box(#"caspio.get("tables") print("not reached")"#, fake, faulty)
        let run = try box.start([])
        #expect(await waitFor { faulty.requests.contains { $0.path.hasSuffix("/tables") } })
        let sent = Date()
        kill(run.pid, signal)
        let result = try await run.finish()
        #expect(Date().timeIntervalSince(sent) < 2, "the run outlived the signal by \(Date().timeIntervalSince(sent))s")
        #expect(result.status == status, "\(result.stderr)")
        #expect(!result.stdout.contains("not reached"))
        #expect(faulty.requests.filter { $0.path.hasSuffix("/tables") }.count == 1, "no retry after the stop")
    }

    @Test func theTimeoutFlagCancelsAHungRequest() async throws {
        let fake = try await EmulatedCaspio.start()
        let faulty = try Self.hangingTables(fake)
        defer { faulty.shutdown() }
        let box = try Self.box(#"caspio.get("tables")"#, fake, faulty)
        let started = Date()
        let result = try await box.run(["--timeout", "1"])
        #expect(Date().timeIntervalSince(started) < 3, "\(Date().timeIntervalSince(started))s")
        #expect(result.status == 124, "\(result.stderr)")
        #expect(result.stderr.contains("--timeout"), "\(result.stderr)")
        #expect(faulty.requests.filter { $0.path.hasSuffix("/tables") }.count == 1)
    }

    /// Runs whose token endpoint (`/oauth/token` through `faulty`) never answers.
    static func hangingTokenEndpoint(_ fake: EmulatedCaspio) throws -> FaultyServer {
        try FaultyServer(upstream: fake.origin) { $0.path.hasSuffix("/oauth/token") ? .hang : .forward }
    }

    static func grants(_ faulty: FaultyServer) -> Int { faulty.requests.filter { $0.path.hasSuffix("/oauth/token") }.count }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalCancelsAGrantToAHungTokenEndpoint(signal: Int32, status: Int32) async throws {
        let fake = try await EmulatedCaspio.start()
        let faulty = try Self.hangingTokenEndpoint(fake)
        defer { faulty.shutdown() }
        var box = try ScriptSandbox(#"caspio.get("tables") print("not reached")"#, fake: fake)
        box.environment["CASPIO_TOKEN_URL"] = faulty.origin + "/oauth/token"
        let run = try box.start([])
        #expect(await waitFor { Self.grants(faulty) == 1 })
        let sent = Date()
        kill(run.pid, signal)
        let result = try await run.finish()
        #expect(Date().timeIntervalSince(sent) < 2, "the run outlived the signal by \(Date().timeIntervalSince(sent))s")
        #expect(result.status == status, "\(result.stderr)")
        #expect(!result.stdout.contains("not reached"))
        #expect(Self.grants(faulty) == 1, "no grant after the stop")
    }

    @Test func theTimeoutFlagCancelsAGrantToAHungTokenEndpoint() async throws {
        let fake = try await EmulatedCaspio.start()
        let faulty = try Self.hangingTokenEndpoint(fake)
        defer { faulty.shutdown() }
        var box = try ScriptSandbox(#"caspio.get("tables")"#, fake: fake)
        box.environment["CASPIO_TOKEN_URL"] = faulty.origin + "/oauth/token"
        let started = Date()
        let result = try await box.run(["--timeout", "1"])
        #expect(Date().timeIntervalSince(started) < 3, "\(Date().timeIntervalSince(started))s")
        #expect(result.status == 124, "\(result.stderr)")
        #expect(Self.grants(faulty) == 1, "no grant after the stop")
    }
}
