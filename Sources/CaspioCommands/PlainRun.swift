/// The command lines of a plain Lua run — `caspio -e CODE`, `caspio SCRIPT ARGS...`,
/// `caspio run SCRIPT ARGS...` with only lua5.4's `-e`, `-l`, `-W`, `-E` before the script —
/// read without ArgumentParser, into a RunCommand.Request: no RunCommand is made, since even
/// its property wrappers' first use is a tenth of such a start. ArgumentParser's parsing costs
/// about 3 ms at every start, nearly all of it the Swift runtime looking up types and
/// conformances (BENCHMARKS.md, start-up). Anything else (another option, `--`, a value
/// that looks like an option, a mistake) goes to ArgumentParser as before, which then says
/// what is wrong.
enum PlainRun {
    /// `words`: the command line as typed, without argv[0]. Every line read here is one that
    /// CommandLineWords.normalize leaves as it is, and no line that it changes is read here.
    static func command(_ words: [String]) -> RunCommand.Request? {
        var words = words[...]
        if words.first == "run" { words = words.dropFirst() }
        var command = RunCommand.Request()
        while let word = words.first, word.hasPrefix("-") {
            switch word {
            case "-e", "-l":
                guard words.count > 1, let value = words.dropFirst().first, !value.hasPrefix("-") else { return nil }
                if word == "-e" { command.chunks.append(value) } else { command.libraries.append(value) }
                words = words.dropFirst(2)
            case "-W" where !command.warnings: (command.warnings, words) = (true, words.dropFirst())
            case "-E" where !command.ignoreEnvironment: (command.ignoreEnvironment, words) = (true, words.dropFirst())
            default: return nil
            }
        }
        // A script named like a subcommand is left to ArgumentParser's rules.
        if let script = words.first, CommandLineWords.subcommands.contains(script) { return nil }
        command.scriptAndArguments = Array(words)
        // A failed check (a typo for a command) is reported by ArgumentParser, with the usage.
        do {
            try command.connection.validate()
            try command.validate()
        } catch { return nil }
        return command
    }
}
