import CaspioTestSupport
import Foundation
import Testing

/// In the REPL, Ctrl-C ends a pause for the account at once: the next line does not wait it out.
@Suite(.serialized) struct ReplPauseTests {
    @Test func ctrlCEndsAPauseAndTheNextRequestGoesAtOnce() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 0)  // one table to list
        fake.script([.json(429, ["Code": "TooManyRequests", "Message": "slow down"], headers: [("Retry-After", "300")])])
        let directory = try temporaryDirectory()
        var env = fake.environment(cacheDirectory: directory.path + "/cache")
        env["HOME"] = directory.path
        env["XDG_STATE_HOME"] = directory.path + "/state"
        env["NO_COLOR"] = "1"
        env["TERM"] = "xterm"
        let session = try await TmuxSession([caspioBinary.path, "repl"], environment: env, directory: directory)
        try await session.waitFor("Type :help")
        try await session.line("caspio.get('tables')")
        // The pause is said at the default level: 300 s is long enough to wonder.
        var (ok, screen) = try await session.waitFor("pauses 300.0s")
        #expect(ok, "the pause is said: \(screen)")
        try await session.press("C-c")
        (ok, screen) = try await session.waitFor("interrupted!", timeout: 10)
        #expect(ok, "Ctrl-C ends the pause: \(screen)")
        let began = Date()
        try await session.line("print('n=' .. #caspio.get('tables').Result)")
        (ok, screen) = try await session.waitFor("n=1", timeout: 20)
        #expect(ok, "the next request is not held by the pause: \(screen)")
        #expect(Date().timeIntervalSince(began) < 20)
        #expect(fake.resourceRequests.count == 2)
    }
}
