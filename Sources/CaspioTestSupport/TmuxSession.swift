import Foundation

/// A program running in a tmux pane (a real terminal), on a private tmux server: keys are
/// typed with `send`, the screen is read with `screen`, and `waitFor` polls it up to a deadline.
public final class TmuxSession {
    private let socket: String
    private let name = "t"

    /// Starts `arguments` with `environment` added, in a `width`x`height` terminal. When the
    /// program ends the pane shows `[exit STATUS]`.
    public init(_ arguments: [String], environment: [String: String] = [:], directory: URL, width: Int = 160, height: Int = 50) throws {
        socket = directory.appendingPathComponent("tmux-\(UUID().uuidString.prefix(8)).sock").path
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }
        let command = (["cd", Self.quote(directory.path), "&&", "env"] + assignments + arguments.map(Self.quote)).joined(separator: " ")
            + "; echo \"[exit $?]\"; exec cat >/dev/null"
        // The shell outlives Ctrl-C (a trap, unlike an ignore, is not inherited by the program).
        let shell = "trap : INT; " + command
        try tmux(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", "sh", "-c", shell])
    }

    deinit { try? tmux(["kill-server"]) }

    /// Types text literally.
    public func type(_ text: String) throws { try tmux(["send-keys", "-t", name, "-l", text]) }

    /// Presses keys by tmux name: "Enter", "Tab", "C-c", "C-d", "Up", "C-r".
    public func press(_ keys: String...) throws { try tmux(["send-keys", "-t", name] + keys) }

    /// Types a line and presses Enter.
    public func line(_ text: String) throws {
        try type(text)
        try press("Enter")
    }

    /// The visible screen and scrollback, trailing blank lines removed.
    public func screen() throws -> String {
        try tmux(["capture-pane", "-p", "-J", "-t", name, "-S", "-1000"])
    }

    /// Polls the screen until `predicate` holds or `timeout` seconds pass; returns the last screen.
    @discardableResult
    public func waitFor(timeout: Double = 20, _ predicate: (String) -> Bool) throws -> (Bool, String) {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if predicate(last) { return (true, last) }
            usleep(20_000)  // polling interval, not a wait for a race
        }
        return (false, last)
    }

    /// Waits until the screen contains `text` `count` times.
    @discardableResult
    public func waitFor(_ text: String, count: Int = 1, timeout: Double = 20) throws -> (Bool, String) {
        try waitFor(timeout: timeout) { $0.components(separatedBy: text).count - 1 >= count }
    }

    /// Runs the tmux client (posix_spawn and waitpid, output in a file: the tmux server it
    /// starts inherits whatever the client had open).
    @discardableResult
    private func tmux(_ arguments: [String]) throws -> String {
        let output = socket + ".out"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The test runner's threads block signals; the tmux server must not inherit that mask
        // (it would never see its panes exit, and would outlive kill-server).
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let words = ["/usr/bin/tmux", "-S", socket, "-f", "/dev/null"] + arguments
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/usr/bin/tmux", &actions, &attributes, &argv, environ)
        guard spawned == 0 else { throw NSError(domain: "tmux", code: Int(spawned)) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        let code = (status >> 8) & 0xFF
        guard status & 0x7F == 0, code == 0 else {
            throw NSError(domain: "tmux", code: Int(code), userInfo: [NSLocalizedDescriptionKey: text])
        }
        return text
    }

    private static func quote(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
