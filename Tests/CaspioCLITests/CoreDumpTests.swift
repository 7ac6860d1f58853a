import CaspioTestSupport
import Foundation
import Testing

/// A core file holds the client secret and tokens: `caspio` makes none, unless
/// CASPIO_CORE_DUMPS=1 asks for one (debugging). bash reports "(core dumped)" when the kernel
/// wrote one.
@Suite struct CoreDumpTests {
    /// A run that sends itself SIGSEGV (whose default action dumps core), under bash with core
    /// files allowed, in a directory of its own.
    static func quitItself(_ environment: [String: String]) async throws -> (stderr: String, cores: [String]) {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = try write(
            """
            local pid = io.open("/proc/self/stat"):read("n")
            -- SIGSEGV: the test runner blocks SIGQUIT and SIGABRT for what it spawns, and
            -- system() ignores SIGQUIT in its caller while it runs.
            os.execute("(sleep 0.2; kill -SEGV " .. pid .. ") &")
            local give_up = os.time() + 10  -- never left spinning, whatever becomes of the signal
            while os.time() < give_up do end
            """, to: directory.appendingPathComponent("quit.lua"))
        let command = "ulimit -c unlimited; '\(caspioBinary.path)' run '\(script.path)'; true"
        // Swift's backtracer would catch the signal and print a report instead.
        let result = try await runProcess(
            URL(fileURLWithPath: "/bin/bash"), ["-c", command],
            environment: environment.merging(["SWIFT_BACKTRACE": "enable=no"]) { $1 }, directory: directory, seconds: 30)
        let cores = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasPrefix("core") }
        return (result.stderr, cores)
    }

    @Test func noCoreFileByDefault() async throws {
        let (stderr, cores) = try await Self.quitItself(["CASPIO_CORE_DUMPS": ""])
        #expect(stderr.contains("Segmentation fault"), "\(stderr)")
        #expect(!stderr.contains("core dumped"), "\(stderr)")
        #expect(cores.isEmpty)
    }

    @Test func coreDumpsOnRequest() async throws {
        let (stderr, cores) = try await Self.quitItself(["CASPIO_CORE_DUMPS": "1"])
        #expect(stderr.contains("(core dumped)"), "\(stderr)")
        #expect(!cores.isEmpty)
    }
}
