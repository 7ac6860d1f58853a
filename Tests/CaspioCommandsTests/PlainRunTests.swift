import ArgumentParser
@testable import CaspioCommands
import Testing

/// Plain Lua runs are read without ArgumentParser (PlainRun), into the very command
/// ArgumentParser makes of them; every other command line is left to ArgumentParser.
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

    @Test(arguments: plainLines)
    func aPlainRunIsReadAsArgumentParserReadsIt(words: [String]) throws {
        // Read as typed: the entry point does not normalize a plain run's words.
        #expect(normalized(words) == words, "normalize leaves a plain run as it is")
        let plain = try #require(PlainRun.command(words), "\(words) is a plain run")
        let parsed = try #require(try parse(words) as? RunCommand)
        #expect(!values(plain).contains { $0.hasSuffix("=UNSET") }, "an option PlainRun leaves unset")
        #expect(values(plain) == values(parsed))
        // The option groups are looked into, not skipped.
        #expect(values(parsed).contains("connection.sandbox=false") && values(parsed).contains("unattended.quiet=false"))
    }

    @Test(arguments: otherLines)
    func anyOtherCommandLineIsLeftToArgumentParser(words: [String]) {
        #expect(PlainRun.command(words).map { values($0) } == nil, "\(words) is not a plain run")
        #expect(PlainRun.command(normalized(words)).map { values($0) } == nil, "\(words) normalized is not a plain run")
    }

    private func normalized(_ words: [String]) -> [String] { Array(CommandLineWords.normalize(["caspio"] + words).dropFirst()) }

    /// Every option's value by name, through the property wrappers (option groups' too);
    /// `=UNSET` for one that holds none, whose reading would stop the program.
    private func values(_ subject: Any, prefix: String = "") -> [String] {
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
                out += values(state.value, prefix: prefix + label + ".")
            } else {
                out.append(prefix + label + "=" + String(reflecting: state.value))
            }
        }
        return out
    }
}
