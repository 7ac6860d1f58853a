import ArgumentParser
@testable import CaspioCommands
import Testing

/// Plain Lua runs are read without ArgumentParser (PlainRun), into the very request that
/// ArgumentParser's RunCommand makes of them; every other command line is left to ArgumentParser.
@Suite struct PlainRunTests {
    static let plainLines: [[String]] = [
        [], ["-e", ""], ["-e", "x = 1", "-l", "m", "-e", "print(x)"], ["-W", "-E", "-e", "print(1)"], ["job.lua"],
        ["job.lua", "a", "--b", "-e", "--profile"], ["run", "job.lua", "x"], ["-e", "x=1", "job.lua", "p", "q"], ["run", "-e", "y"],
    ]

    static let otherLines: [[String]] = [
        ["-v", "-e", "x"], ["--profile", "p", "job.lua"], ["run", "--dry-run", "job.lua"], ["-e", "x", "--summary"], ["-", "a"],
        ["--", "job.lua"], ["-e"], ["-e", "-x"], ["-l", "--", "job.lua"], ["-W", "-W"], ["-e", "x", "auth"], ["auth", "login"],
        ["help", "run"], ["run", "--help"], ["--version"], ["rn"],
        // Lines that CommandLineWords.normalize changes.
        ["-h"], ["-e", "x", "-h"], ["--lock", "job.lua"], ["--lock=x.lock", "job.lua"], ["run", "--lock", "a.lock", "job.lua"],
        ["--sandbox", "run", "job.lua"], ["-v", "run", "-e", "x"], ["--profile=p", "run", "job.lua"], ["export", "--lock"],
    ]

    /// Every option given a value of its own (and each flag set), for the check that each
    /// has its value in the request under its name.
    static let everyOption = [
        "run", "-e", "x", "-l", "m", "-W", "-E", "--profile", "p", "--account", "c1abc123", "--base-url", "https://b.example/rest/v3",
        "--token-url", "https://t.example/oauth/token", "--ca-file", "ca.pem", "--token-cache", "cache", "--store", "file",
        "--max-requests", "7", "--rate", "2.5", "--max-requests-per-day", "8", "--max-requests-per-period", "9",
        "--billing-time-zone", "UTC", "--principal", "ops", "-v", "--log-level", "info", "--log-format", "json", "--sandbox",
        "--lock-file", "x.lock", "--lock-auto", "--lock-wait", "3", "--timeout", "4", "--state", "s.json", "--quiet", "--summary", "--dry-run",
        "job.lua", "a", "--b",
    ]

    @Test(arguments: plainLines)
    func aPlainRunIsReadAsArgumentParserReadsIt(words: [String]) throws {
        // Read as typed: the entry point does not normalize a plain run's words.
        #expect(normalized(words) == words, "normalize leaves a plain run as it is")
        let plain = try #require(PlainRun.command(words), "\(words) is a plain run")
        let parsed = try #require(try parse(words) as? RunCommand)
        #expect(plain == parsed.request)
        #expect(fields(plain) == options(parsed))
    }

    @Test(arguments: otherLines)
    func anyOtherCommandLineIsLeftToArgumentParser(words: [String]) {
        #expect(PlainRun.command(words) == nil, "\(words) is not a plain run")
        #expect(PlainRun.command(normalized(words)) == nil, "\(words) normalized is not a plain run")
    }

    /// A request holds each option's value under the option's name: none is left out, none
    /// taken from another.
    @Test func eachOptionHasItsValueInTheRequest() throws {
        let parsed = try #require(try parse(Self.everyOption) as? RunCommand)
        let shown = options(parsed)
        #expect(!shown.contains { $0.hasSuffix("=UNSET") })
        #expect(fields(parsed.request) == shown)
        // Each option was given a value other than its default, so a swapped or lost one
        // shows; all but --lock's flag, which CommandLineWords always rewrites.
        let defaults = Set(fields(RunCommand.Request())).subtracting(["unattended.lockShown=false"])
        #expect(defaults.isDisjoint(with: shown), "\(defaults.intersection(shown))")
        // The option groups are looked into, not skipped.
        #expect(shown.contains("connection.sandbox=true") && shown.contains("unattended.quiet=true"))
    }

    private func normalized(_ words: [String]) -> [String] { Array(CommandLineWords.normalize(["caspio"] + words).dropFirst()) }

    /// Every option's value by name, through the property wrappers (option groups' too);
    /// `=UNSET` for one that holds none, whose reading would stop the program.
    private func options(_ subject: Any, prefix: String = "") -> [String] {
        var out: [String] = []
        for child in Mirror(reflecting: subject).children {
            // The wrapper's storage is `_name`.
            guard let label = child.label.map({ String($0.dropFirst()) }),
                let parsed = Mirror(reflecting: child.value).children.first(where: { $0.label == "_parsedValue" })?.value
            else { continue }
            guard let state = Mirror(reflecting: parsed).children.first, state.label == "value" else {
                out.append(prefix + label + "=UNSET")
                continue
            }
            if state.value is any ParsableArguments {
                out += options(state.value, prefix: prefix + label + ".")
            } else {
                out.append(prefix + label + "=" + String(reflecting: state.value))
            }
        }
        return out.sorted()
    }

    /// Every stored value by name, the option groups' values looked into.
    private func fields(_ subject: Any, prefix: String = "") -> [String] {
        var out: [String] = []
        for child in Mirror(reflecting: subject).children {
            guard let label = child.label else { continue }
            if child.value is ConnectionOptions.Values || child.value is UnattendedOptions.Values {
                out += fields(child.value, prefix: prefix + label + ".")
            } else {
                out.append(prefix + label + "=" + String(reflecting: child.value))
            }
        }
        return out.sorted()
    }
}
