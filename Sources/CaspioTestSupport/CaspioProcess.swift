import Foundation
#if canImport(Glibc)
    import Glibc
#endif

/// The built `caspio` binary: $CASPIO_BIN, or the debug build next to this package.
public let caspioBinary: URL = {
    if let path = ProcessInfo.processInfo.environment["CASPIO_BIN"] { return URL(fileURLWithPath: path) }
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return packageRoot.appendingPathComponent(".build/debug/caspio")
}()

public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// A process spawned by a test that did not end by its deadline: it was killed, and this says
/// what it had printed, so the failure shows where it stuck.
public struct ProcessTimeout: Error, CustomStringConvertible {
    public var arguments: [String]
    public var seconds: Double
    public var output: ProcessResult
    public var description: String {
        "\(arguments.joined(separator: " ")) did not finish within \(seconds)s and was killed\n--- stdout:\n\(output.stdout)\n--- stderr:\n\(output.stderr)"
    }
}

/// A program started by a test, with a deadline: every wait on it is bounded, and a process
/// still running at its deadline (or when the test lets go of it) is killed. Both outputs are
/// read while it runs, so that neither pipe can fill up and block it.
public final class SpawnedProcess: @unchecked Sendable {
    public enum Input {
        /// /dev/null.
        case none
        /// The text, then end of file.
        case text(String)
        /// A pipe kept open: `send` writes to it, `closeInput` ends it.
        case open
    }

    public let arguments: [String]
    /// When the process is killed if it has not ended.
    public let deadline: Date
    private let seconds: Double
    /// Held by the reader threads and the reaper, not `self`, so that a test letting go of the
    /// process ends it (deinit kills it, the pipes close, the threads end).
    private final class Streams: @unchecked Sendable {
        let condition = NSCondition()
        var out = Data(), err = Data()
        var open = 2
        var exited = false
    }
    private let streams = Streams()
    private let child: ChildProcess
    private let inputLock = NSLock()
    private var input: Int32?

    /// Starts `executable` with the test runner's environment plus `environment`.
    /// `seconds` is the deadline for the whole life of the process.
    public init(
        _ executable: URL = caspioBinary, _ arguments: [String], input: Input = .none,
        environment: [String: String] = [:], replacingEnvironment: Bool = false, directory: URL? = nil,
        seconds: Double = 120
    ) throws {
        self.arguments = [executable.lastPathComponent] + arguments
        self.seconds = seconds
        deadline = Date().addingTimeInterval(seconds)
        var env = replacingEnvironment ? [:] : ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let out = try closeOnExecPipe()
        let err: (read: Int32, write: Int32)
        do { err = try closeOnExecPipe() } catch {
            for fd in [out.read, out.write] { close(fd) }
            throw error
        }
        var inputPipe: (read: Int32, write: Int32)?
        if case .none = input {} else {
            do { inputPipe = try closeOnExecPipe() } catch {
                for fd in [out.read, out.write, err.read, err.write] { close(fd) }
                throw error
            }
        }
        do {
            child = try ChildProcess(
                executable.path, arguments, environment: env, directory: directory, stdin: inputPipe?.read,
                stdout: out.write, stderr: err.write
            ) { [streams] in
                streams.condition.lock()
                streams.exited = true
                streams.condition.broadcast()
                streams.condition.unlock()
            }
        } catch {
            for fd in [out.read, out.write, err.read, err.write, inputPipe?.read, inputPipe?.write].compactMap({ $0 }) { close(fd) }
            throw error
        }
        // The child's ends are its own now: only the child may hold them, or EOF never comes.
        for fd in [out.write, err.write, inputPipe?.read].compactMap({ $0 }) { close(fd) }
        for (fd, isOut) in [(out.read, true), (err.read, false)] {
            Thread { [streams] in
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n < 0, errno == EINTR { continue }
                    streams.condition.lock()
                    if n <= 0 {
                        streams.open -= 1
                    } else if isOut {
                        streams.out.append(contentsOf: buffer[..<n])
                    } else {
                        streams.err.append(contentsOf: buffer[..<n])
                    }
                    streams.condition.broadcast()
                    streams.condition.unlock()
                    if n <= 0 {
                        close(fd)
                        return
                    }
                }
            }.start()
        }
        switch input {
        case .none: break
        case .text(let text):
            // On a thread: a process that does not read must not block the test past its
            // deadline. One that ends without reading closes the pipe: not a failure here.
            let fd = inputPipe!.write
            Thread {
                writeAll(fd, Data(text.utf8))
                close(fd)
            }.start()
        case .open: self.input = inputPipe!.write
        }
    }

    deinit {
        child.killGroup()
        if let input { close(input) }
    }

    public var pid: Int32 { child.pid }

    /// How it ended (nil while it runs): by exiting, or by a signal.
    public var terminationReason: Process.TerminationReason? {
        child.reason.map { $0 == .exit ? .exit : .uncaughtSignal }
    }

    /// What it has printed so far.
    public var output: ProcessResult {
        streams.condition.lock()
        defer { streams.condition.unlock() }
        return ProcessResult(
            status: streams.exited ? child.status ?? -1 : -1, stdout: String(decoding: streams.out, as: UTF8.self),
            stderr: String(decoding: streams.err, as: UTF8.self))
    }

    /// Writes to its input; a process that has ended (a closed pipe) is not an error here.
    public func send(_ text: String) {
        inputLock.lock()
        defer { inputLock.unlock() }
        if let input { writeAll(input, Data(text.utf8)) }
    }

    public func closeInput() {
        inputLock.lock()
        defer { inputLock.unlock() }
        if let input { close(input) }
        input = nil
    }

    /// Sends `number` to the process itself (not its group), while it has not been reaped.
    public func signal(_ number: Int32) { child.signal(number) }

    /// Waits until stdout (or stderr) contains `text`; throws, with what it printed, if the
    /// process ends first or `timeout` (at most the deadline) passes.
    @discardableResult
    public func waitForOutput(_ text: String, onStderr: Bool = false, timeout: Double = 30) async throws -> String {
        try await onOwnThread { try self.blockUntilOutput(text, onStderr: onStderr, timeout: timeout) }
    }

    private func blockUntilOutput(_ text: String, onStderr: Bool, timeout: Double) throws -> String {
        let until = min(deadline, Date().addingTimeInterval(timeout))
        let needle = Data(text.utf8)
        let condition = streams.condition
        condition.lock()
        while true {
            let seen = onStderr ? streams.err : streams.out
            if seen.range(of: needle) != nil {
                condition.unlock()
                return String(decoding: seen, as: UTF8.self)
            }
            if streams.open == 0 || !condition.wait(until: until) { break }
        }
        condition.unlock()
        throw ProcessTimeout(arguments: arguments + ["(waiting for \(text.debugDescription))"], seconds: timeout, output: output)
    }

    /// Waits for the exit and both outputs to end, up to the deadline; past it the process is
    /// killed and the wait throws with what it printed. The wait is on a thread of its own:
    /// blocking the cooperative pool would starve in-process servers whose handlers run there.
    public func finish() async throws -> ProcessResult {
        try await onOwnThread { try self.finishOnThisThread() }
    }

    /// SIGTERM, then the wait on a thread of its own (from a `deinit`, which may run on Swift's
    /// pool and cannot await), then `directory` removed.
    public func terminateInBackground(thenRemove directory: URL) {
        signal(SIGTERM)
        Thread {
            _ = try? self.finishOnThisThread()
            try? FileManager.default.removeItem(at: directory)
        }.start()
    }

    /// `finish()` blocking the calling thread: only from a thread of a test's own, never from a
    /// task (a test that means to fill Swift's pool and still see the process end).
    public func finishOnThisThread() throws -> ProcessResult {
        let condition = streams.condition
        condition.lock()
        while !(streams.exited && streams.open == 0) {
            if !condition.wait(until: deadline) { break }
        }
        let done = streams.exited && streams.open == 0
        condition.unlock()
        if !done {
            child.killGroup()
            condition.lock()
            // Bounded: a killed group's pipes close at once (unless something left the group).
            let grace = Date().addingTimeInterval(5)
            while !(streams.exited && streams.open == 0), condition.wait(until: grace) {}
            condition.unlock()
            throw ProcessTimeout(arguments: arguments, seconds: seconds, output: output)
        }
        return output
    }
}

extension SpawnedProcess {
    /// Starts `caspio sandbox ARGS`, waits (bounded) for the exports it prints, and returns
    /// them with the process, which is killed at its deadline if still serving.
    public static func sandbox(_ arguments: [String], seconds: Double = 120) async throws -> (SpawnedProcess, [String: String]) {
        let process = try SpawnedProcess(caspioBinary, ["sandbox"] + arguments, seconds: seconds)
        let text = try await process.waitForOutput("\n#")
        var exports: [String: String] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst(7).split(separator: "=", maxSplits: 1)
            exports[String(pair[0])] = String(pair[1])
        }
        return (process, exports)
    }
}

/// Runs a program to completion with the given stdin and environment additions, killing it
/// (and failing) if it has not finished within `seconds`.
public func runProcess(
    _ executable: URL, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
    directory: URL? = nil, seconds: Double = 120
) async throws -> ProcessResult {
    try await SpawnedProcess(
        executable, arguments, input: stdin.map { .text($0) } ?? .text(""), environment: environment,
        directory: directory, seconds: seconds
    ).finish()
}

public func caspio(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], directory: URL? = nil)
    async throws -> ProcessResult
{
    try await runProcess(caspioBinary, arguments, stdin: stdin, environment: environment, directory: directory)
}

/// A fresh temporary directory for one test.
public func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("caspio-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@discardableResult
public func write(_ text: String, to url: URL, executable: Bool = false) throws -> URL {
    guard executable else {
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
    // A program to run is written close-on-exec: a descriptor open for writing that a process
    // started meanwhile by another test inherited would make exec fail (ETXTBSY) while it lives.
    let temporary = url.path + ".writing"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    guard fd >= 0 else { throw ChildProcess.Failure("cannot write \(temporary): \(String(cString: strerror(errno)))") }
    let bytes = Array(text.utf8)
    let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    close(fd)
    guard written == bytes.count, rename(temporary, url.path) == 0 else { throw ChildProcess.Failure("cannot write \(url.path)") }
    return url
}
