import CaspioClient
import Foundation

/// Where the REPL keeps its history, and which lines never go there.
public enum History {
    /// Entries kept in memory and in the file.
    public static let limit = 1000

    /// `$XDG_STATE_HOME/caspio/history`, by default `~/.local/state/caspio/history`.
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        UserDirectories(environment: environment).state + "/history"
    }

    /// Lines that mention a secret are kept out of the history file, and so are lines that
    /// hold one of this session's secrets (a token pasted in), in any of its forms.
    public static func mayRecord(_ line: String, redactor: SecretRedactor = .shared) -> Bool {
        let lowered = line.lowercased()
        let secrets = ["client_secret", "secret", "token", "password", "bearer"]
        return !line.allSatisfy(\.isWhitespace) && !secrets.contains { lowered.contains($0) }
            && redactor.redact(line) == line
    }

    /// Creates the directory of the history file, private to the user.
    static func prepareDirectory(of path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }
}
