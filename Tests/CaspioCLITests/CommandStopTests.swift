import CaspioTestSupport
import Foundation
import Testing

/// Every command stops as `run` does: a SIGTERM or Ctrl-C cancels what it started (a grant to a
/// hung token endpoint, a hung client_secret_command and its process group) and it exits with
/// the usual code within 2 s.
@Suite struct CommandStopTests {
    static let commands: [[String]] = [["auth"], ["doctor"], ["request", "GET", "tables"], ["export", "Customers"]]

    /// `arguments` in the background, with a deadline.
    static func start(_ arguments: [String], _ box: ScriptSandbox) throws -> SpawnedProcess {
        try SpawnedProcess(caspioBinary, arguments, environment: box.environment, directory: box.directory, seconds: 60)
    }

    @Test(arguments: commands, [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalKillsAHungSecretCommand(command: [String], signal: (Int32, Int32)) async throws {
        let fake = try await EmulatedCaspio.start()
        let setup = try SecretCommandStopTests.setup(fake)
        let process = try Self.start(command, setup.box)
        #expect(await waitFor { SecretCommandStopTests.group(setup.pidFile) != nil })
        let sent = Date()
        process.signal(signal.0)
        let result = try await process.finish()
        #expect(Date().timeIntervalSince(sent) < 2, "\(command): \(Date().timeIntervalSince(sent))s")
        #expect(result.status == signal.1, "\(command): \(result.stderr)")
        let group = try #require(SecretCommandStopTests.group(setup.pidFile))
        #expect(await SecretCommandStopTests.groupIsGone(group), "\(command): the secret command's group \(group) outlived the command")
        #expect(fake.tokenRequests.isEmpty)
    }

    @Test(arguments: commands)
    func sigtermCancelsAGrantToAHungTokenEndpoint(command: [String]) async throws {
        let fake = try await EmulatedCaspio.start()
        let faulty = try StopUnderFaultsTests.hangingTokenEndpoint(fake)
        defer { faulty.shutdown() }
        var box = try ScriptSandbox("", fake: fake)
        box.environment["CASPIO_TOKEN_URL"] = faulty.origin + "/oauth/token"
        let process = try Self.start(command, box)
        #expect(await waitFor { StopUnderFaultsTests.grants(faulty) == 1 })
        let sent = Date()
        process.signal(SIGTERM)
        let result = try await process.finish()
        #expect(Date().timeIntervalSince(sent) < 2, "\(command): \(Date().timeIntervalSince(sent))s")
        #expect(result.status == 143, "\(command): \(result.stderr)")
        #expect(StopUnderFaultsTests.grants(faulty) == 1, "\(command): no grant after the stop")
    }

    @Test func theTimeoutFlagOfADataJobKillsAHungSecretCommand() async throws {
        let fake = try await EmulatedCaspio.start()
        let setup = try SecretCommandStopTests.setup(fake)
        let started = Date()
        let result = try await Self.start(["export", "Customers", "--timeout", "1"], setup.box).finish()
        #expect(Date().timeIntervalSince(started) < 3.5, "\(Date().timeIntervalSince(started))s")
        #expect(result.status == 124, "\(result.stderr)")
        let group = try #require(SecretCommandStopTests.group(setup.pidFile))
        #expect(await SecretCommandStopTests.groupIsGone(group), "the secret command's group \(group) outlived the export")
    }
}
