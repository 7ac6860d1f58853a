import CaspioTestSupport
import Foundation
import Testing

/// Runs a Lua script with the built `caspio` against `fake` (token cache in a fresh directory).
/// For what is about processes: exit statuses, output streams, files, the command line.
func runLua(
    _ source: String, against fake: FakeCaspio, flags: [String] = [], environment: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> ProcessResult {
    let directory = try temporaryDirectory()
    let script = try write(source, to: directory.appendingPathComponent("script.lua"))
    var env = ProcessInfo.processInfo.environment
    env.merge(fake.environment(cacheDirectory: directory.path + "/cache")) { $1 }
    env["HOME"] = directory.path
    env.merge(environment) { $1 }
    let process = Process()
    process.executableURL = caspioBinary
    process.arguments = ["run"] + flags + [script.path]
    process.environment = env
    process.currentDirectoryURL = directory
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return bounded(process, sourceLocation: sourceLocation) { collectOutput(of: process, stdout: out, stderr: err) }
}

/// Runs `wait` (which returns once `process` has exited), killing the process if it is still
/// running after `seconds`: the test then fails with what the process printed, never hangs.
func bounded<T>(
    _ process: Process, seconds: Double = 120, sourceLocation: SourceLocation = #_sourceLocation, _ wait: () -> T
) -> T {
    let killed = KillFlag()
    let pid = process.processIdentifier
    let timer = DispatchWorkItem {
        killed.set()
        kill(pid, SIGKILL)
    }
    DispatchQueue.global().asyncAfter(deadline: .now() + seconds, execute: timer)
    let result = wait()
    timer.cancel()
    if killed.isSet {
        Issue.record("killed after \(seconds) s: \(result)", sourceLocation: sourceLocation)
    }
    return result
}

private final class KillFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
