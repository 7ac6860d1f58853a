import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real PostgreSQL server for one test, from Debian's `postgresql` package: a fresh cluster
/// in a temporary directory and pg_ctl on a free loopback port, its socket in that directory.
/// initdb runs once per test process (it costs about a second of CPU); each server's cluster
/// is a copy of that one, as initdb would have made it.
/// initdb and postgres refuse to run as root, so as root (CI) they run as the `postgres`
/// user the package creates. TCP connections need the password; the socket trusts `psql`.
/// Every wait has a deadline, and `stop` (also from deinit) ends the server even when a test fails.
/// Each wait (initdb, readiness, psql, pg_ctl) runs on a thread of its own, never on Swift's pool.
public final class TestPostgres: @unchecked Sendable {
    public let directory: URL
    public let port: Int
    public let password: String
    private let bin: String
    private let asUser: String?
    private var running = false
    private var server: ChildProcess?

    /// `postgres://postgres@127.0.0.1:PORT/postgres?sslmode=disable`; the password goes in PGPASSWORD.
    public var url: String { "postgres://postgres@127.0.0.1:\(port)/postgres?sslmode=disable" }
    /// The environment a `caspio` process needs to use this server as its store.
    public var environment: [String: String] { ["CASPIO_STORE": url, "PGPASSWORD": password] }

    /// A new server, initialised and accepting connections.
    public static func make() async throws -> TestPostgres {
        try await onOwnThread { try TestPostgres(initialising: ()) }
    }

    private init(initialising: Void) throws {
        bin = try Self.binaries()
        asUser = Self.serverUser
        let template = try Self.template.get()
        password = template.password
        directory = try Self.ownedDirectory("caspio-pg", asUser: asUser)
        port = try Self.freePort()
        // cp -a keeps the owner and modes postgres insists on.
        let copied = try SpawnedProcess(
            URL(fileURLWithPath: "/bin/cp"), ["-a", template.directory.appendingPathComponent("data").path, dataPath], input: .text(""),
            directory: directory, seconds: 60
        ).finishOnThisThread()
        guard copied.status == 0 else { throw Failure("cp of the template cluster exited with \(copied.status): \(copied.stderr)") }
        try startOnThisThread()
    }

    /// initdb and postgres refuse to run as root: as root they run as `postgres`.
    private static let serverUser: String? = getuid() == 0 ? "postgres" : nil

    /// The cluster every server of this process copies, made by initdb on first use and
    /// removed when the process exits.
    private static let template: Result<(directory: URL, password: String), Failure> = Result {
        let bin = try binaries()
        let directory = try ownedDirectory("caspio-pg-template", asUser: serverUser)
        templateDirectory = directory.path
        atexit { if let path = templateDirectory { try? FileManager.default.removeItem(atPath: path) } }
        let password = "pg-test-" + UUID().uuidString.prefix(12)
        let pwfile = directory.appendingPathComponent("pwfile")
        try write(password + "\n", to: pwfile)
        if let user = serverUser, let entry = getpwnam(user) { chown(pwfile.path, entry.pointee.pw_uid, entry.pointee.pw_gid) }
        try run("initdb", [
            "-D", directory.appendingPathComponent("data").path, "-U", "postgres", "--pwfile", pwfile.path,
            "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C",
        ], bin: bin, asUser: serverUser, directory: directory, seconds: 60)
        return (directory, String(password))
    }.mapError { $0 as? Failure ?? Failure("\($0)") }
    nonisolated(unsafe) private static var templateDirectory: String?

    /// A new temporary directory, owned by `asUser` when given.
    private static func ownedDirectory(_ prefix: String, asUser: String?) throws -> URL {
        var template = Array((NSTemporaryDirectory() + prefix + "-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw Failure("mkdtemp: \(String(cString: strerror(errno)))") }
        let directory = URL(fileURLWithPath: String(cString: made))
        if let asUser {
            guard let entry = getpwnam(asUser) else { throw Failure("there is no user \(asUser) (install Debian's postgresql: scripts/setup)") }
            chown(directory.path, entry.pointee.pw_uid, entry.pointee.pw_gid)
        }
        return directory
    }

    /// Stops the server and removes its files on a thread of its own: the last reference may go
    /// on a thread of Swift's pool.
    deinit {
        let stopping = Stopping(running: running, server: server, bin: bin, asUser: asUser, directory: directory)
        Thread {
            stopping.stop()
            try? FileManager.default.removeItem(at: stopping.directory)
        }.start()
    }

    private var dataPath: String { directory.appendingPathComponent("data").path }

    /// Starts (or restarts) the server; returns once it accepts connections. The server runs
    /// as a child (`postgres`, not `pg_ctl start`, whose detached server the test process
    /// could not wait for), its output in the log file.
    public func start() async throws {
        try await onOwnThread { try self.startOnThisThread() }
    }

    private func startOnThisThread() throws {
        let log = directory.appendingPathComponent("log")
        if !FileManager.default.fileExists(atPath: log.path) { FileManager.default.createFile(atPath: log.path, contents: nil) }
        if asUser != nil, let entry = getpwnam("postgres") { chown(log.path, entry.pointee.pw_uid, entry.pointee.pw_gid) }
        let handle = try FileHandle(forWritingTo: log)
        defer { try? handle.close() }
        handle.seekToEndOfFile()
        let arguments = ["-D", dataPath, "-p", String(port), "-k", directory.path, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=60"]
        let path = bin + "/postgres"
        let (executable, words) = asUser.map { ("/usr/sbin/runuser", ["-u", $0, "--", path] + arguments) } ?? (path, arguments)
        let process = try ChildProcess(
            executable, words, environment: ProcessInfo.processInfo.environment, directory: directory, stdin: nil,
            stdout: handle.fileDescriptor, stderr: handle.fileDescriptor)
        server = process
        running = true
        let deadline = Date().addingTimeInterval(30)
        while !acceptsSessions() {
            if let status = process.status { throw Failure("postgres exited with \(status):\n\(self.log)") }
            guard Date() < deadline else {
                stopOnThisThread()
                throw Failure("postgres did not accept connections within 30 s:\n\(self.log)")
            }
            usleep(20_000)
        }
    }

    /// Whether the server takes sessions. A TCP connect succeeds as soon as it listens, but
    /// while it starts up (crash recovery after an immediate stop, longer under load) it refuses
    /// them with "the database system is starting up" (57P03); pg_isready tells the two apart.
    private func acceptsSessions() -> Bool {
        guard Self.accepts(port: port) else { return false }
        let ready = try? SpawnedProcess(
            URL(fileURLWithPath: bin + "/pg_isready"), ["-h", "127.0.0.1", "-p", String(port), "-t", "2"], input: .text(""),
            directory: directory, seconds: 5
        ).finishOnThisThread()
        return ready?.status == 0
    }

    /// Stops at once (no shutdown checkpoint): as a crash or a pulled cable looks to clients.
    public func stop() async {
        await onOwnThread { self.stopOnThisThread() }
    }

    private func stopOnThisThread() {
        Stopping(running: running, server: server, bin: bin, asUser: asUser, directory: directory).stop()
        running = false
        server = nil
    }

    /// What stopping needs, apart from the object (which deinit cannot hand to a thread).
    private struct Stopping: @unchecked Sendable {
        let running: Bool, server: ChildProcess?, bin: String, asUser: String?, directory: URL

        func stop() {
            guard running else { return }
            _ = try? TestPostgres.run(
                "pg_ctl", ["-D", directory.appendingPathComponent("data").path, "-m", "immediate", "-w", "-t", "10", "stop"],
                bin: bin, asUser: asUser, directory: directory, seconds: 15)
            if let server, !server.wait(until: Date().addingTimeInterval(10)) {
                // Its group: the server's own processes too.
                server.killGroup()
                server.wait(until: Date().addingTimeInterval(5))
            }
        }
    }

    /// Whether something accepts TCP connections on the port (the server, once ready).
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// Runs SQL through the socket with psql; rows one a line, columns separated by `|`.
    @discardableResult
    public func sql(_ query: String) async throws -> String {
        let result = try await runProcess(
            URL(fileURLWithPath: bin + "/psql"),
            ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", directory.path, "-p", String(port), "-U", "postgres", "-d", "postgres", "-c", query],
            seconds: 30)
        guard result.status == 0 else { throw Failure("psql: \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .newlines)
    }

    /// The server's log so far (for a failing test's message).
    public var log: String { (try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? "" }

    /// Runs a server tool to completion, blocking this thread (never one of Swift's pool).
    private static func run(_ tool: String, _ arguments: [String], bin: String, asUser: String?, directory: URL, seconds: Double) throws {
        let path = bin + "/" + tool
        let (executable, words) = asUser.map { ("/usr/sbin/runuser", ["-u", $0, "--", path] + arguments) } ?? (path, arguments)
        let result = try SpawnedProcess(URL(fileURLWithPath: executable), words, input: .text(""), directory: directory, seconds: seconds)
            .finishOnThisThread()
        let log = (try? String(contentsOf: directory.appendingPathComponent("log"), encoding: .utf8)) ?? ""
        guard result.status == 0 else { throw Failure("\(tool) exited with \(result.status): \(result.stderr)\(result.stdout)\n\(log)") }
    }

    /// The newest /usr/lib/postgresql/VERSION/bin (Debian's layout; nothing in PATH assumed).
    static func binaries() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted()
        guard let newest = versions.last, FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/initdb") else {
            throw Failure("no PostgreSQL server in \(root) (scripts/setup installs Debian's postgresql)")
        }
        return "\(root)/\(newest)/bin"
    }

    /// A port nothing listens on now: bound to 0, read, closed.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure("socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure("bind: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        init(_ description: String) { self.description = description }
    }
}
