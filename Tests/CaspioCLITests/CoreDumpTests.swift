import CaspioTestSupport
import Foundation
import Testing

/// A core file holds the client secret and tokens: `caspio` makes none, unless
/// CASPIO_CORE_DUMPS=1 asks for one (debugging). bash reports "(core dumped)" when the kernel
/// wrote one.
@Suite struct CoreDumpTests {
    /// A run that sends itself SIGQUIT (whose default action dumps core), under bash with core
    /// files allowed, in a directory of its own.
    static func quitItself(_ environment: [String: String]) throws -> (stderr: String, cores: [String]) {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try write(
            """
            local pid = io.open("/proc/self/stat"):read("n")
            os.execute("kill -QUIT " .. pid)
            while true do end
            """, to: directory.appendingPathComponent("quit.lua"))
        let command = "ulimit -c unlimited; '\(caspioBinary.path)' run '\(script.path)'; true"
        let result = try runProcess(
            URL(fileURLWithPath: "/bin/bash"), ["-c", command], environment: environment, directory: directory, seconds: 60)
        let cores = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("core") }
        return (result.stderr, cores)
    }

    @Test func noCoreFileByDefault() throws {
        let (stderr, cores) = try Self.quitItself(["CASPIO_CORE_DUMPS": ""])
        #expect(stderr.contains("Quit"), "\(stderr)")
        #expect(!stderr.contains("core dumped"), "\(stderr)")
        #expect(cores.isEmpty)
    }

    @Test func coreDumpsOnRequest() throws {
        let (stderr, _) = try Self.quitItself(["CASPIO_CORE_DUMPS": "1"])
        #expect(stderr.contains("(core dumped)"), "\(stderr)")
    }
}
