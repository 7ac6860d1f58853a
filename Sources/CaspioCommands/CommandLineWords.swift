/// The command line as people type it, put in the shape ArgumentParser parses. Three things
/// it cannot do on its own:
/// - options of `caspio` itself before the subcommand (`caspio -v run job.lua`): moved after it;
/// - `--help` for `caspio run`, whose script arguments are passed through untouched;
/// - `--lock` with an optional value (`run`, `export`, `import`, `mirror`).
/// Only the words before the script are looked at: the script's own arguments are its business.
enum CommandLineWords {
    /// The subcommands' names, as `caspio` declares them, and `help`.
    static let subcommands = Set(Caspio.configuration.subcommands.map { $0._commandName } + ["help"])

    /// The subcommands that take --lock beside `run`.
    static let dataJobs: Set<String> = [ExportCommand._commandName, ImportCommand._commandName, MirrorCommand._commandName]

    /// Options that every account-using subcommand takes (ConnectionOptions, --sandbox), which
    /// may stand before the subcommand's name.
    static let globalValued: Set<String> = [
        "--profile", "--account", "--base-url", "--token-url", "--ca-file", "--token-cache", "--max-requests",
        "--rate", "--max-requests-per-day", "--max-requests-per-period", "--log-level", "--log-format", "--store", "--principal",
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
        case let first? where dataJobs.contains(first):
            return [argv[0], first] + dataJobWords(Array(words.dropFirst()))
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
        if index + 1 < words.count, nestedSubcommands(of: words[index]).contains(words[index + 1]) {
            return Array(words[index...(index + 1)]) + moved + words[(index + 2)...]
        }
        return [words[index]] + moved + words[(index + 1)...]
    }

    /// The names of `name`'s own subcommands (`profile show`, `store init`).
    static func nestedSubcommands(of name: String) -> Set<String> {
        guard let command = Caspio.configuration.subcommands.first(where: { $0._commandName == name }) else { return [] }
        return Set(command.configuration.subcommands.map { $0._commandName })
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
            if let (lock, used) = lockWords(words, at: index) {
                out += lock
                index += used - 1
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

    /// The words of `caspio export` and `caspio import`: --lock as for `run`, anywhere
    /// before a `--`, since these take no arguments of a script.
    static func dataJobWords(_ words: [String]) -> [String] {
        var out: [String] = []
        var index = 0
        while index < words.count, words[index] != "--" {
            if let (lock, used) = lockWords(words, at: index) {
                out += lock
                index += used
            } else {
                out.append(words[index])
                index += 1
            }
        }
        return out + words[index...]
    }

    /// `--lock=FILE` and `--lock X.lock` name the lock file; a bare `--lock` asks for one
    /// derived from the script's path (or the table). Nil when `words[index]` is no --lock.
    static func lockWords(_ words: [String], at index: Int) -> ([String], used: Int)? {
        let word = words[index]
        if word.hasPrefix("--lock=") { return (["--lock-file", String(word.dropFirst(7))], 1) }
        guard word == "--lock" else { return nil }
        if index + 1 < words.count, words[index + 1].hasSuffix(".lock") { return (["--lock-file", words[index + 1]], 2) }
        return (["--lock-auto"], 1)
    }
}
