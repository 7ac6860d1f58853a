import Foundation

/// A program running in a tmux pane (a real terminal), on a private tmux server: keys are
/// typed with `send`, the screen is read with `screen`, and `waitFor` polls it up to a deadline.
public final class TmuxSession: Sendable {
    private let socket: String
    private let name = "t"

    /// Starts `arguments` with `environment` added, in a `width`x`height` terminal. When the
    /// program ends the pane shows `[exit STATUS]`.
    public init(_ arguments: [String], environment: [String: String] = [:], directory: URL, width: Int = 160, height: Int = 50) async throws {
        socket = directory.appendingPathComponent("tmux-\(UUID().uuidString.prefix(8)).sock").path
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }
        let command = (["cd", Self.quote(directory.path), "&&", "env"] + assignments + arguments.map(Self.quote)).joined(separator: " ")
            + "; echo \"[exit $?]\"; exec cat >/dev/null"
        // The shell outlives Ctrl-C (a trap, unlike an ignore, is not inherited by the program).
        let shell = "trap : INT; " + command
        try await tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "sh", "-c", shell])
    }

    deinit {
        let socket = socket
        Thread { _ = try? Self.tmux(socket: socket, ["kill-server"]) }.start()
    }

    /// Types text literally.
    public func type(_ text: String) async throws { try await tmux(["send-keys", "-t", name, "-l", text]) }

    /// Presses keys by tmux name: "Enter", "Tab", "C-c", "C-d", "Up", "C-r".
    public func press(_ keys: String...) async throws { try await tmux(["send-keys", "-t", name] + keys) }

    /// Types a line and presses Enter.
    public func line(_ text: String) async throws {
        try await type(text)
        try await press("Enter")
    }

    /// The visible screen and scrollback, trailing blank lines removed.
    public func screen() async throws -> String {
        try await tmux(["capture-pane", "-p", "-J", "-t", name, "-S", "-1000"])
    }

    /// Polls the screen until `predicate` holds or `timeout` seconds pass; returns the last screen.
    @discardableResult
    public func waitFor(timeout: Double = 20, _ predicate: (String) -> Bool) async throws -> (Bool, String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try await screen()
            if predicate(last) { return (true, last) }
            try await Task.sleep(for: .milliseconds(20))  // polling interval, not a wait for a race
        }
        return (false, last)
    }

    /// Waits until the screen contains `text` `count` times.
    @discardableResult
    public func waitFor(_ text: String, count: Int = 1, timeout: Double = 20) async throws -> (Bool, String) {
        try await waitFor(timeout: timeout) { $0.components(separatedBy: text).count - 1 >= count }
    }

    /// Runs the tmux client on a thread of its own (never blocking Swift's pool), up to a deadline.
    @discardableResult
    private func tmux(_ arguments: [String]) async throws -> String {
        let socket = socket
        return try await onOwnThread { try Self.tmux(socket: socket, arguments) }
    }

    /// Runs the tmux client to its end (20 s at most), its output in a file: the tmux server it
    /// starts inherits whatever the client had open, so a pipe would never reach its end.
    private static func tmux(socket: String, _ arguments: [String]) throws -> String {
        let output = socket + ".out"
        let fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw NSError(domain: "tmux", code: Int(errno)) }
        let client: ChildProcess
        do {
            client = try ChildProcess(
                "/usr/bin/tmux", ["-S", socket, "-f", "/dev/null"] + arguments, environment: ProcessInfo.processInfo.environment,
                directory: nil, stdin: nil, stdout: fd, stderr: fd)
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        guard client.wait(until: Date().addingTimeInterval(20)) else {
            client.killGroup()
            throw NSError(domain: "tmux", code: -1, userInfo: [NSLocalizedDescriptionKey: "tmux \(arguments.first ?? "") did not end within 20 s"])
        }
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard client.reason == .exit, client.status == 0 else {
            throw NSError(domain: "tmux", code: Int(client.status ?? -1), userInfo: [NSLocalizedDescriptionKey: text])
        }
        return text
    }

    private static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
