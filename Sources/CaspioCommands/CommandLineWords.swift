/// The command line as people type it, put in the shape ArgumentParser parses. Three things
/// it cannot do on its own:
/// - options of `caspio` itself before the subcommand (`caspio -v run job.lua`): moved after it;
/// - `--help` for `caspio run`, whose script arguments are passed through untouched;
/// - `--lock` with an optional value.
/// Only the words before the script are looked at: the script's own arguments are its business.
enum CommandLineWords {
    static let subcommands: Set<String> = ["run", "repl", "auth", "request", "sandbox", "usage", "profile", "doctor", "help"]

    /// Options that every account-using subcommand takes (ConnectionOptions, --sandbox), which
    /// may stand before the subcommand's name.
    static let globalValued: Set<String> = [
        "--profile", "--account", "--base-url", "--token-url", "--ca-file", "--token-cache", "--max-requests",
        "--rate", "--max-requests-per-day", "--max-requests-per-period", "--log-level", "--log-format",
    ]
    static let globalFlags: Set<String> = ["-v", "--verbose", "--sandbox"]

    /// Options of `caspio` alone (ArgumentParser's own).
    static let rootOptions: Set<Substring> = ["--help", "-h", "--version", "--generate-completion-script", "--experimental-dump-help"]

    /// Options of `caspio run` that take the next word as their value.
    static let runValued: Set<String> = globalValued.union(["-e", "-l", "--lock-file", "--lock-wait", "--timeout", "--state"])

    static func normalize(_ argv: [String]) -> [String] {
        guard argv.count > 1 else { return argv }
        var words = Array(argv.dropFirst())
        words = movingGlobalOptions(words)
        switch words.first {
        case "run":
            let run = runWords(Array(words.dropFirst()))
            return [argv[0]] + (run.first == "help" ? run : ["run"] + run)
        case let first? where subcommands.contains(first) || rootOptions.contains(first.prefix { $0 != "=" }):
            return [argv[0]] + words
        default:
            // `caspio job.lua`, `caspio -e CODE`: the default subcommand, run.
            return [argv[0]] + runWords(words)
        }
    }

    /// `caspio -v --profile p run x.lua` is `caspio run -v --profile p x.lua`. Only global
    /// options move: `caspio -e CODE run` runs CODE, then a script named run, as lua5.4 would.
    static func movingGlobalOptions(_ words: [String]) -> [String] {
        var index = 0
        var moved: [String] = []
        while index < words.count {
            let word = words[index]
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            if globalFlags.contains(word) || (word.contains("=") && globalValued.contains(name)) {
                moved.append(word)
                index += 1
            } else if globalValued.contains(word), index + 1 < words.count {
                moved += [word, words[index + 1]]
                index += 2
            } else {
                break
            }
        }
        guard !moved.isEmpty, index < words.count, subcommands.contains(words[index]) else { return words }
        // `caspio --profile p profile show`: the options belong to profile's own subcommand
        // (which rejects, naming it, any that does not apply), not to `profile` itself.
        if words[index] == "profile", index + 1 < words.count, ProfileCommand.subcommandNames.contains(words[index + 1]) {
            return Array(words[index...(index + 1)]) + moved + words[(index + 2)...]
        }
        return [words[index]] + moved + words[(index + 1)...]
    }

    /// The words of `caspio run`: `--help` before the script asks for run's help; `--lock=FILE`
    /// and `--lock X.lock` name the lock file, a bare `--lock` (followed by the script) asks
    /// for one derived from the script's path.
    static func runWords(_ words: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if word == "--" || word == "-" || !word.hasPrefix("-") { break }
            if word == "--help" || word == "-h" { return ["help", "run"] }
            if word.hasPrefix("--lock=") {
                out += ["--lock-file", String(word.dropFirst(7))]
            } else if word == "--lock" {
                if index + 1 < words.count, words[index + 1].hasSuffix(".lock") {
                    out += ["--lock-file", words[index + 1]]
                    index += 1
                } else {
                    out.append("--lock-auto")
                }
            } else {
                out.append(word)
                if runValued.contains(word), index + 1 < words.count {
                    out.append(words[index + 1])
                    index += 1
                }
            }
            index += 1
        }
        return out + words[index...]
    }
}
