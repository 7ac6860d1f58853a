import Foundation

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

/// Runs a program to completion with the given stdin and environment additions.
public func runProcess(
    _ executable: URL, _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
    directory: URL? = nil
) throws -> ProcessResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = directory }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    return collectOutput(of: process, stdout: out, stderr: err)
}

/// Reads a started process's stdout and stderr to the end, both at once so that neither
/// pipe can fill up and block the child, then waits for its exit.
public func collectOutput(of process: Process, stdout out: Pipe, stderr err: Pipe) -> ProcessResult {
    nonisolated(unsafe) var errData = Data()
    let done = DispatchSemaphore(value: 0)
    let errHandle = err.fileHandleForReading
    Thread { errData = errHandle.readDataToEndOfFile(); done.signal() }.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    return ProcessResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

public func caspio(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], directory: URL? = nil)
    throws -> ProcessResult
{
    try runProcess(caspioBinary, arguments, stdin: stdin, environment: environment, directory: directory)
}

/// A fresh temporary directory for one test.
public func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("caspio-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@discardableResult
public func write(_ text: String, to url: URL, executable: Bool = false) throws -> URL {
    try text.write(to: url, atomically: true, encoding: .utf8)
    if executable { try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path) }
    return url
}
