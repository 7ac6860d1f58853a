import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Questions on a terminal: prompts go to stderr (stdout stays for results), answers come from
/// standard input, a secret with echo turned off.
enum TerminalInput {
    static var isInteractive: Bool { isatty(STDIN_FILENO) == 1 }

    /// One line, without its line end; nil at end of input.
    static func ask(_ prompt: String) -> String? {
        FileHandle.standardError.write(Data(prompt.utf8))
        return readLine(strippingNewline: true)?.trimmingCharacters(in: .whitespaces)
    }

    /// One line typed without echo. Ctrl-C restores the echo before the process ends, so that
    /// the shell is not left with a terminal that shows nothing.
    static func askSecret(_ prompt: String) -> String? {
        guard tcgetattr(STDIN_FILENO, &savedTerminal) == 0 else { return ask(prompt) }
        var quiet = savedTerminal
        quiet.c_lflag &= ~tcflag_t(ECHO)
        signal(SIGINT) { _ in
            tcsetattr(STDIN_FILENO, TCSANOW, &savedTerminal)
            _exit(130)
        }
        FileHandle.standardError.write(Data(prompt.utf8))
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &savedTerminal)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        return readLine(strippingNewline: true)
    }
}

/// The terminal's settings before echo went off; a signal handler can reach only globals.
nonisolated(unsafe) private var savedTerminal = termios()
