import Foundation
import Testing

@testable import CaspioClient

/// A secret command is bounded: past its timeout it is killed with whatever it started.
@Suite struct SecretCommandTests {
    @Test func aHungCommandIsKilledWithItsChildrenAtItsTimeout() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("caspio-secret-\(UUID().uuidString)").path
        defer { unlink(pidFile) }
        let started = Date()
        #expect(throws: SecretCommand.Failure.self) {
            try SecretCommand.run("sleep 300 & echo $! > \(pidFile); wait", timeout: 0.5)
        }
        #expect(Date().timeIntervalSince(started) < 5)
        let child = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The sleep (a grandchild of this process) is gone: killed, then reaped by init.
        let gone = (0..<100).contains { _ in
            if kill(child, 0) != 0 { return true }
            usleep(20_000)
            return false
        }
        #expect(gone, "the command's child \(child) outlived it")
    }

    @Test func aCommandThatAnswersGivesItsOutput() throws {
        let outcome = try SecretCommand.run("printf 's3cret\\n'; echo oops >&2")
        #expect(outcome.status == 0)
        #expect(String(decoding: outcome.stdout, as: UTF8.self) == "s3cret\n")
        #expect(String(decoding: outcome.stderr, as: UTF8.self) == "oops\n")
        #expect(try SecretCommand.run("exit 3").status == 3)
    }
}
