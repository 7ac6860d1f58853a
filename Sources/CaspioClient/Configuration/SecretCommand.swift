#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a `*_command` setting (`sh -c COMMAND`) with a bound: in a process group of its own,
/// killed whole (its children too) when it outlives `timeout` or the run is stopped.
public enum SecretCommand {
    /// How long a secret command may take.
    public static let timeout: Double = 30
    /// Whether the run is being stopped (SIGTERM, Ctrl-C, --timeout); set by the host, which
    /// knows, before anything resolves a secret.
    nonisolated(unsafe) public static var stopRequested: @Sendable () -> Bool = { false }

    struct Outcome {
        var status: Int32
        var stdout: Data
        var stderr: Data
    }

    enum Failure: Error {
        case cannotStart(String)
        case timedOut
        case stopped
    }

    static func run(_ command: String, timeout: Double = SecretCommand.timeout) throws(Failure) -> Outcome {
        var out: [Int32] = [-1, -1], err: [Int32] = [-1, -1]
        guard pipe(&out) == 0, pipe(&err) == 0 else { throw .cannotStart(errnoText()) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        for fd in out + err { posix_spawn_file_actions_addclose(&actions, fd) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A group of its own: killing it reaches whatever the shell started.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/sh"), strdup("-c"), strdup(command), nil]
        defer { for arg in argv { free(arg) } }
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        close(out[1])
        close(err[1])
        guard spawned == 0 else {
            close(out[0])
            close(err[0])
            throw .cannotStart(String(cString: strerror(spawned)))
        }
        defer {
            close(out[0])
            close(err[0])
        }
        let deadline = Date().addingTimeInterval(timeout)
        var (stdout, stderr) = (Data(), Data())
        var reading: [Int32: Bool] = [out[0]: true, err[0]: true]
        var buffer = [UInt8](repeating: 0, count: 4096)
        while reading.values.contains(true) {
            if stopRequested() { kill(group: pid); throw .stopped }
            if Date() > deadline { kill(group: pid); throw .timedOut }
            var fds = reading.filter(\.value).map { pollfd(fd: $0.key, events: Int16(POLLIN), revents: 0) }
            guard poll(&fds, nfds_t(fds.count), 50) >= 0 || errno == EINTR else { break }
            for entry in fds where entry.revents != 0 {
                let n = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if n > 0 {
                    if entry.fd == out[0] { stdout.append(contentsOf: buffer[..<n]) } else { stderr.append(contentsOf: buffer[..<n]) }
                } else if n == 0 || errno != EINTR {
                    reading[entry.fd] = false
                }
            }
        }
        // Its outputs are closed; the shell itself may still linger (bounded the same way).
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if stopRequested() { kill(group: pid); throw .stopped }
            if Date() > deadline { kill(group: pid); throw .timedOut }
            usleep(20_000)
        }
        let exited = status & 0x7f == 0
        return Outcome(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: stdout, stderr: stderr)
    }

    /// SIGKILL to the whole group, then reaps the shell.
    private static func kill(group pid: pid_t) {
        Glibc.kill(-pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
    }
}
