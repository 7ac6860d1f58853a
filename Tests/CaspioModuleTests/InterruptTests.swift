import CaspioTestSupport
import Foundation
import Testing

/// Ctrl-C while a script waits for the network stops it at once, with exit 130.
@Suite struct InterruptTests {
    @Test func ctrlCDuringARequestStopsPromptly() throws {
        let fake = try FakeCaspio()
        var slow = TestHTTPServer.Reply.json(200, ["Result": []])
        slow.delay = 60
        fake.script([slow])
        let directory = try temporaryDirectory()
        let script = try write(#"caspio.get("tables")"#, to: directory.appendingPathComponent("slow.lua"))
        let process = Process()
        process.executableURL = caspioBinary
        process.arguments = ["run", script.path]
        var env = ProcessInfo.processInfo.environment
        env.merge(fake.environment(cacheDirectory: nil)) { $1 }
        process.environment = env
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait until the request is in flight at the server (bounded).
        let deadline = Date().addingTimeInterval(20)
        while fake.resourceRequests.isEmpty && Date() < deadline { usleep(10_000) }
        #expect(!fake.resourceRequests.isEmpty)
        let sent = Date()
        kill(process.processIdentifier, SIGINT)
        let stderr = bounded(process, seconds: 30) {
            let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text
        }
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 130)
        #expect(stderr.contains("interrupted!"))
        #expect(Date().timeIntervalSince(sent) < 10)
    }
}
