import CaspioTestSupport
import Foundation
import Testing

/// A token cache directory the run may read but not write (a shared, read-only mount): a valid
/// cached token is used, and a token it had to renew is used uncached, with one warning.
/// Permission bits do not stop root, so as root the runs are made as nobody (setpriv).
@Suite struct ReadOnlyCacheTests {
    static let setpriv = "/usr/bin/setpriv"
    static let canDropPrivileges = getuid() != 0 || FileManager.default.isExecutableFile(atPath: setpriv)

    /// `caspio ARGS` as a user whom permission bits bind.
    static func caspioUnprivileged(_ arguments: [String], _ box: ScriptSandbox) async throws -> ProcessResult {
        guard getuid() == 0 else { return try await caspio(arguments, environment: box.environment, directory: box.directory) }
        return try await runProcess(
            URL(fileURLWithPath: setpriv), ["--reuid=65534", "--regid=65534", "--clear-groups", caspioBinary.path] + arguments,
            environment: box.environment, directory: box.directory, seconds: 60)
    }

    /// The box's files belong to the user the runs are made as.
    static func handOver(_ box: ScriptSandbox) async throws {
        guard getuid() == 0 else { return }
        #expect(try await runProcess(URL(fileURLWithPath: "/bin/chown"), ["-R", "65534:65534", box.directory.path]).status == 0)
    }

    @Test(.enabled(if: canDropPrivileges)) func aValidCachedTokenInAReadOnlyDirectoryIsUsed() async throws {
        let fake = try await EmulatedCaspio.start()
        let box = try ScriptSandbox(#"caspio.get("tables") print("done")"#, fake: fake)
        try await Self.handOver(box)
        let first = try await Self.caspioUnprivileged(["run", box.script.path], box)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(fake.tokenRequests.count == 1)
        // Read-only, and no lock file left in it (a cache copied in, or cleaned).
        let cache = box.path("cache")
        for name in try FileManager.default.contentsOfDirectory(atPath: cache) where name.hasSuffix(".lock") {
            try FileManager.default.removeItem(atPath: cache + "/" + name)
        }
        #expect(chmod(cache, 0o500) == 0)
        defer { chmod(cache, 0o700) }
        let second = try await Self.caspioUnprivileged(["run", box.script.path], box)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("done"))
        #expect(fake.tokenRequests.count == 1, "the cached token was used")
    }

    @Test(.enabled(if: canDropPrivileges)) func aTokenRenewedInAReadOnlyDirectoryIsUsedWithOneWarning() async throws {
        let fake = try await EmulatedCaspio.start()
        let box = try ScriptSandbox(#"for i = 1, 3 do caspio.get("tables") end print("done")"#, fake: fake)
        try await Self.handOver(box)
        let cache = box.path("cache")
        #expect(mkdir(cache, 0o500) == 0)
        if getuid() == 0 { #expect(chown(cache, 65534, 65534) == 0) }
        defer { chmod(cache, 0o700) }
        let run = try await Self.caspioUnprivileged(["run", box.script.path], box)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("done"))
        #expect(fake.tokenRequests.count == 1)
        let warnings = run.stderr.split(separator: "\n").filter { $0.contains("not cached") }
        #expect(warnings.count == 1, "\(run.stderr)")
    }
}
