import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A program started with posix_spawn, as the product starts secret commands. Not Foundation's
/// `Process`: on Linux its `run()` now and then crashes the test runner (an over-read while it
/// copies the child's arguments), more often the more descriptors are open, as in a parallel run.
///
/// The child gets a process group of its own (a deadline kills it and whatever it started), only
/// descriptors 0–2 (nothing another test opened), default signal dispositions and an empty mask.
/// It is reaped by a thread of its own; until then its pid cannot be reused, so `kill` and
/// `signal` never reach another process.
final class ChildProcess: @unchecked Sendable {
    enum Reason: Sendable { case exit, uncaughtSignal }

    let pid: pid_t
    private let condition = NSCondition()
    private var waitStatus: Int32?

    /// Starts `path` with `arguments` (argv[0] is the path) and exactly `environment`. `stdin` is
    /// a descriptor to read (nil: /dev/null); `stdout` and `stderr` are descriptors to write.
    /// `exited` runs on the reaping thread once the process has ended.
    init(
        _ path: String, _ arguments: [String], environment: [String: String], directory: URL?, stdin: Int32?,
        stdout: Int32, stderr: Int32, exited: @escaping @Sendable () -> Void = {}
    ) throws {
        Self.ignoreBrokenPipes
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdin { posix_spawn_file_actions_adddup2(&actions, stdin, 0) } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)
        guard let closeFrom = Self.closeFrom, let changeDirectory = Self.changeDirectory else {
            throw Failure("this C library lacks posix_spawn_file_actions_addclosefrom_np or _addchdir_np (glibc 2.34 or later has both)")
        }
        closeFrom(&actions, 3)
        if let directory { _ = directory.path.withCString { changeDirectory(&actions, $0) } }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        // The test runner ignores SIGPIPE (below) and may block signals on this thread; the
        // child starts as from a shell.
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)

        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var spawnedPid: pid_t = 0
        var spawned = posix_spawn(&spawnedPid, path, &actions, &attributes, argv, envp)
        // A program a test has just written may still be open for writing in a child that
        // another test's spawn forked before its descriptors were closed: exec says ETXTBSY
        // until that child has exec'd. That lasts microseconds, so a few short retries.
        var busyRetries = 0
        while spawned == ETXTBSY, busyRetries < 200 {
            busyRetries += 1
            usleep(5_000)
            spawned = posix_spawn(&spawnedPid, path, &actions, &attributes, argv, envp)
        }
        guard spawned == 0 else { throw Failure("cannot start \(path): \(String(cString: strerror(spawned)))") }
        pid = spawnedPid
        Thread { [self, pid] in
            // Waits without reaping, then reaps under the lock `kill` and `signal` hold.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
            condition.lock()
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            waitStatus = status
            condition.broadcast()
            condition.unlock()
            exited()
        }.start()
    }

    var hasExited: Bool {
        condition.lock()
        defer { condition.unlock() }
        return waitStatus != nil
    }

    /// The exit code, or the number of the signal that ended it; nil while it runs.
    var status: Int32? {
        condition.lock()
        defer { condition.unlock() }
        return waitStatus.map { $0 & 0x7f == 0 ? ($0 >> 8) & 0xff : $0 & 0x7f }
    }

    var reason: Reason? {
        condition.lock()
        defer { condition.unlock() }
        return waitStatus.map { $0 & 0x7f == 0 ? .exit : .uncaughtSignal }
    }

    /// Sends `number` to the process alone, if it has not been reaped.
    func signal(_ number: Int32) {
        condition.lock()
        defer { condition.unlock() }
        if waitStatus == nil { Glibc.kill(pid, number) }
    }

    /// SIGKILL to its whole group (what it started too), if it has not been reaped.
    func killGroup() {
        condition.lock()
        defer { condition.unlock() }
        if waitStatus == nil { Glibc.kill(-pid, SIGKILL) }
    }

    /// Waits until it has been reaped or `deadline` passes; whether it was.
    @discardableResult
    func wait(until deadline: Date) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while waitStatus == nil, condition.wait(until: deadline) {}
        return waitStatus != nil
    }

    /// A test writing to a process that has ended gets EPIPE, not a signal that ends the runner.
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    private typealias FileAction = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias PathAction = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    // glibc declares these only for _GNU_SOURCE, which Swift's Glibc module does not define.
    private static let closeFrom: FileAction? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: FileAction.self) }
    private static let changeDirectory: PathAction? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np")
        .map { unsafeBitCast($0, to: PathAction.self) }

    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}

private typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
/// pipe2 (declared only for _GNU_SOURCE): pipe then fcntl would leave a moment in which another
/// thread's spawn inherits both ends.
private let openPipe: Pipe2? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2").map { unsafeBitCast($0, to: Pipe2.self) }

/// A pipe whose both ends close on exec: a child gets an end only through dup2 onto 0–2.
func closeOnExecPipe() throws -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    guard let pipe2 = openPipe, pipe2(&fds, O_CLOEXEC) == 0 else { throw ChildProcess.Failure("pipe2: \(String(cString: strerror(errno)))") }
    return (fds[0], fds[1])
}

/// Writes all of `data` (a closed reader ends it quietly: EPIPE).
func writeAll(_ fd: Int32, _ data: Data) {
    data.withUnsafeBytes { bytes in
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n > 0 { offset += n } else if n < 0, errno == EINTR { continue } else { return }
        }
    }
}
