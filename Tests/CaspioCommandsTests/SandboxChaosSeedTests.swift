import ArgumentParser
@testable import CaspioCommands
import Testing

/// `caspio sandbox --chaos-seed N`: the seed of --fail-rate's draws, as the in-process sandbox has.
@Suite struct SandboxChaosSeedTests {
    @Test func theSeedReachesTheSettingsAndDefaultsToOne() throws {
        func seed(_ arguments: [String]) throws -> UInt64 {
            let command = try #require(try parse(["sandbox"] + arguments) as? SandboxCommand)
            return try command.settings().chaosSeed
        }
        #expect(try seed([]) == 1)
        #expect(try seed(["--fail-rate", "0.1", "--chaos-seed", "42"]) == 42)
        #expect(try seed(["--fail-rate", "0.1", "--chaos-seed", "18446744073709551615"]) == .max)
    }

    @Test func aSeedThatIsNoNumberOrSeedsNothingIsAUsageError() throws {
        let refused = [
            (["--fail-rate", "0.1", "--chaos-seed=-1"], "--chaos-seed '-1' is not a whole number from 0 to 18446744073709551615"),
            (["--fail-rate", "0.1", "--chaos-seed=lucky"], "--chaos-seed 'lucky' is not a whole number"),
            (["--chaos-seed", "7"], "--chaos-seed seeds the draws of --fail-rate: give --fail-rate too"),
        ]
        for (arguments, message) in refused {
            do {
                _ = try parse(["sandbox"] + arguments)
                Issue.record("\(arguments) was taken")
            } catch {
                #expect(Caspio.message(for: error).contains(message), "\(arguments): \(Caspio.message(for: error))")
            }
        }
    }
}
