import ArgumentParser
@testable import CaspioCommands
import Testing

/// `caspio sandbox --fail-retry-after`: the Retry-After of --fail-rate's 503s, 1 s unless told.
@Suite struct SandboxFailRetryAfterTests {
    @Test func oneSecondByDefaultNoneForBare503sAndANumberAsGiven() throws {
        func setting(_ arguments: [String]) throws -> Int? {
            let command = try #require(try parse(["sandbox"] + arguments) as? SandboxCommand)
            return try command.settings().failRetryAfter
        }
        #expect(try setting([]) == 1)
        #expect(try setting(["--fail-retry-after", "none"]) == nil)
        #expect(try setting(["--fail-retry-after", "5"]) == 5)
    }

    @Test func anythingElseIsAUsageErrorNamingTheForms() throws {
        for value in ["-1", "soon", "1.5"] {
            do {
                _ = try parse(["sandbox", "--fail-retry-after=\(value)"])
                Issue.record("\(value) was taken")
            } catch {
                #expect(Caspio.message(for: error).contains("--fail-retry-after '\(value)' is not a number of seconds (0 or more), or none"), "\(value)")
            }
        }
    }
}
