import CaspioTestSupport
import Foundation
import Testing

/// A client_secret_command that hangs: SIGTERM and --timeout end the run within 2 s, and its
/// process group (the shell and what it started) goes with it.
@Suite struct SecretCommandStopTests {
    struct Setup {
        let box: ScriptSandbox
        let pidFile: String
    }

    static func setup(_ fake: EmulatedCaspio) throws -> Setup {
        var box = try ScriptSandbox(#"caspio.get("tables")"#)
        let pidFile = box.path("secret.pid")
        let config = try write(
            """
            [profiles.p]
            base_url = "\(fake.baseURL)"
            token_url = "\(fake.tokenURL)"
            client_id = "\(fake.settings.clientID)"
            client_secret_command = "echo $$ > \(pidFile); sleep 300"
            """, to: box.directory.appendingPathComponent("config.toml"))
        box.environment.merge(["CASPIO_CONFIG": config.path, "CASPIO_PROFILE": "p", "CASPIO_TOKEN_CACHE": "off"]) { $1 }
        return Setup(box: box, pidFile: pidFile)
    }

    /// The shell's pid, which is its group's id.
    static func group(_ pidFile: String) -> Int32? {
        (try? String(contentsOfFile: pidFile, encoding: .utf8)).flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    static func groupIsGone(_ group: Int32) async -> Bool {
        await waitFor(5) { kill(-group, 0) != 0 }
    }

    @Test func sigtermKillsAHungSecretCommand() async throws {
        let fake = try await EmulatedCaspio.start()
        let setup = try Self.setup(fake)
        let run = try setup.box.start([])
        #expect(await waitFor { Self.group(setup.pidFile) != nil })
        let sent = Date()
        kill(run.pid, SIGTERM)
        let result = try await run.finish()
        #expect(Date().timeIntervalSince(sent) < 2, "\(Date().timeIntervalSince(sent))s")
        #expect(result.status == 143, "\(result.stderr)")
        let group = try #require(Self.group(setup.pidFile))
        #expect(await Self.groupIsGone(group), "the secret command's group \(group) outlived the run")
        #expect(fake.tokenRequests.isEmpty)
    }

    @Test func theTimeoutFlagKillsAHungSecretCommand() async throws {
        let fake = try await EmulatedCaspio.start()
        let setup = try Self.setup(fake)
        let started = Date()
        let result = try await setup.box.run(["--timeout", "1"])
        #expect(Date().timeIntervalSince(started) < 3.5, "\(Date().timeIntervalSince(started))s")
        #expect(result.status == 124, "\(result.stderr)")
        let group = try #require(Self.group(setup.pidFile))
        #expect(await Self.groupIsGone(group), "the secret command's group \(group) outlived the run")
    }
}
