import CLineEditShim
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the REPL's lines come from.
enum LineRead {
    case line(String)
    /// Ctrl-C at the prompt: the line is dropped.
    case interrupted
    case endOfInput
}

protocol LineSource: AnyObject {
    func read(prompt: String) -> LineRead
    /// A line worth keeping in the history.
    func remember(_ line: String)
}

/// libedit on a terminal: editing, history (persisted, capped, 0600) and completion.
final class LineEditor: LineSource {
    /// The completer libedit's C callback reaches; one editor per process.
    nonisolated(unsafe) static var completer: Completer?
    private let historyPath: String?

    init(historyPath: String?, completer: Completer) {
        self.historyPath = historyPath
        Self.completer = completer
        caspio_le_init { line, start, end in
            guard let line, let completer = LineEditor.completer else { return }
            for candidate in completer.candidates(line: String(cString: line), start: Int(start), end: Int(end)) {
                caspio_le_add_candidate(candidate)
            }
        }
        if let historyPath {
            History.prepareDirectory(of: historyPath)
            caspio_le_read_history(historyPath, Int32(History.limit))
        }
    }

    func read(prompt: String) -> LineRead {
        var interrupted: Int32 = 0
        guard let raw = caspio_le_readline(prompt, &interrupted) else {
            return interrupted != 0 ? .interrupted : .endOfInput
        }
        defer { caspio_le_free(raw) }
        return .line(String(cString: raw))
    }

    func remember(_ line: String) {
        guard History.mayRecord(line) else { return }
        caspio_le_add_history(line)
        // Written at once, so a session that is killed keeps what it had.
        if let historyPath { _ = caspio_le_write_history(historyPath) }
    }
}

/// Lines from a pipe or file, without prompts or history.
final class PlainLines: LineSource {
    func read(prompt: String) -> LineRead {
        guard let line = readLine(strippingNewline: true) else { return .endOfInput }
        return .line(line)
    }

    func remember(_ line: String) {}
}
