import CaspioTestSupport
import Foundation
import Testing

/// Ctrl-C while a script waits for the network stops it at once, with exit 130.
@Suite struct InterruptTests {
    @Test func ctrlCDuringARequestStopsPromptly() async throws {
        let fake = try await EmulatedCaspio.start()
        var slow = TestHTTPServer.Reply.json(200, ["Result": []])
        slow.delay = 60
        fake.script([slow])
        let directory = try temporaryDirectory()
        let script = try write(#"caspio.get("tables")"#, to: directory.appendingPathComponent("slow.lua"))
        let process = try SpawnedProcess(caspioBinary, ["run", script.path], environment: fake.environment(cacheDirectory: nil), seconds: 30)
        // Wait until the request is in flight at the server (bounded).
        let deadline = Date().addingTimeInterval(20)
        while fake.resourceRequests.isEmpty && Date() < deadline { usleep(10_000) }
        #expect(!fake.resourceRequests.isEmpty)
        let sent = Date()
        process.signal(SIGINT)
        let result = try await process.finish()
        #expect(process.terminationReason == .exit)
        #expect(result.status == 130)
        #expect(result.stderr.contains("interrupted!"))
        #expect(Date().timeIntervalSince(sent) < 10)
    }
}
