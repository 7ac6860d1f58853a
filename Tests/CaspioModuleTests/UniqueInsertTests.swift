import CaspioTestSupport
import Foundation
import Testing

/// An insert whose POST failed where it may have landed (a 503 after the row was written):
/// when the row gives a field the design marks Unique, the row is looked up by it and the
/// stored row returned, not inserted twice; with no such field, the error is the caller's.
@Suite struct UniqueInsertTests {
    /// T's design: Name is Unique, N is not.
    static let design = TestHTTPServer.Reply(status: 200, headers: [("Content-Type", "application/json")], body: Array("""
        {"Result":[{"Name":"PK_ID","Type":"AUTONUMBER","Unique":true},{"Name":"Name","Type":"STRING","Unique":true},{"Name":"N","Type":"STRING","Unique":false}]}
        """.utf8))

    /// T with that design in the sandbox, and two rows.
    static func seedT(_ fake: EmulatedCaspio) throws {
        try fake.sandbox.seed(json: """
            {"Tables":[{"Name":"T","Fields":[{"Name":"PK_ID","Type":"AUTONUMBER","Unique":true},{"Name":"Name","Type":"STRING","Unique":true},
              {"Name":"N","Type":"STRING"}],"Rows":[{"Name":"row 1","N":"1"},{"Name":"row 2","N":"2"}]}]}
            """)
    }

    static func landedThen503(_ fake: EmulatedCaspio) throws -> FaultyServer {
        try FaultyServer(upstream: fake.origin) { request in
            if request.path.hasSuffix("/fields") { return .reply(design) }
            return request.method == "POST" ? .forwardThenFail(then: .status(503)) : .forward
        }
    }

    @Test func anInsertThatLandedIsFoundByItsUniqueFieldAndNotSentAgain() async throws {
        let fake = try await EmulatedCaspio.start()
        try Self.seedT(fake)
        let faulty = try Self.landedThen503(fake)
        defer { faulty.shutdown() }
        let result = try await runLua("""
            local t = caspio.table("T")
            local one = t:insert({ Name = "new", N = "7" })
            print(one.Name, one.N, one.PK_ID ~= nil)
            local many = t:insert(caspio.json.array({ { Name = "a", N = "1" }, { Name = "b", N = "2" } }), { concurrency = 2 })
            print(#many, many[1].Name, many[2].Name)
            """, against: fake, environment: ["CASPIO_BASE_URL": faulty.origin + "/integrations/rest/v3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "new\t7\ttrue\n2\ta\tb\n", "\(result.stdout)")
        #expect(faulty.requests.filter { $0.method == "POST" }.count == 3, "one POST a row")
        let rows = try fake.rows("T")
        for name in ["new", "a", "b"] {
            #expect(rows.filter { $0["Name"] as? String == name }.count == 1, "\(name): \(rows)")
        }
    }

    /// Without a Unique field in the row there is nothing to look up by: the 503 is the error,
    /// and the POST is not replayed.
    @Test func withoutAUniqueFieldTheFailureIsTheError() async throws {
        let fake = try await EmulatedCaspio.start()
        try Self.seedT(fake)
        let faulty = try Self.landedThen503(fake)
        defer { faulty.shutdown() }
        let result = try await runLua("""
            local ok, e = pcall(caspio.table("T").insert, caspio.table("T"), { N = "7" })
            print(ok, e.status)
            """, against: fake, environment: ["CASPIO_BASE_URL": faulty.origin + "/integrations/rest/v3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "false\t503\n", "\(result.stdout)")
        #expect(faulty.requests.filter { $0.method == "POST" }.count == 1)
    }

    /// A 503 before anything was written: the lookup finds nothing, and the row is sent once more.
    @Test func anInsertThatDidNotLandIsSentOnceMore() async throws {
        let fake = try await EmulatedCaspio.start()
        try Self.seedT(fake)
        let posts = NIOLockedCounter()
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            if request.path.hasSuffix("/fields") { return .reply(Self.design) }
            guard request.method == "POST" else { return .forward }
            return posts.next() == 1 ? .reply(TestHTTPServer.Reply(status: 503)) : .forward
        }
        defer { faulty.shutdown() }
        let result = try await runLua("""
            print(caspio.table("T"):insert({ Name = "new", N = "7" }).Name)
            """, against: fake, environment: ["CASPIO_BASE_URL": faulty.origin + "/integrations/rest/v3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "new\n", "\(result.stdout)")
        #expect(faulty.requests.filter { $0.method == "POST" }.count == 2)
        #expect(try fake.rows("T").filter { $0["Name"] as? String == "new" }.count == 1)
    }

    /// A server that never takes the row: as many POSTs as the transport's attempts (4), each
    /// after a lookup that found nothing, then the 503.
    @Test func aRowThatNeverLandsIsSentAsOftenAsTheTransportWouldAndNoMore() async throws {
        let fake = try await EmulatedCaspio.start()
        try Self.seedT(fake)
        let faulty = try FaultyServer(upstream: fake.origin) { request in
            if request.path.hasSuffix("/fields") { return .reply(Self.design) }
            return request.method == "POST" ? .reply(TestHTTPServer.Reply(status: 503)) : .forward
        }
        defer { faulty.shutdown() }
        let result = try await runLua("""
            local ok, e = pcall(caspio.table("T").insert, caspio.table("T"), { Name = "new" })
            print(ok, e.status)
            """, against: fake, environment: ["CASPIO_BASE_URL": faulty.origin + "/integrations/rest/v3"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "false\t503\n", "\(result.stdout)")
        #expect(faulty.requests.filter { $0.method == "POST" }.count == 4)
        #expect(faulty.requests.filter { $0.method == "GET" && $0.path.hasSuffix("/records") }.count == 4)
    }
}

/// Counts calls from the server's event loop.
final class NIOLockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func next() -> Int { lock.lock(); defer { lock.unlock() }; count += 1; return count }
}
