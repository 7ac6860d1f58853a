import CaspioTestSupport
import Foundation
import Testing

/// Earlier versions kept run locks under `$XDG_RUNTIME_DIR/caspio/locks`: a run that takes a
/// lock removes the ones left there, but never one that a process still holds.
@Suite struct RetiredLockTests {
    @Test func leftOverLocksAreRemovedButAHeldOneStays() async throws {
        let box = try ScriptSandbox(#"print("ran")"#)
        let retired = box.path("run/caspio/locks")
        try FileManager.default.createDirectory(atPath: retired, withIntermediateDirectories: true)
        let (left, held) = (retired + "/job-0123abcd.lock", retired + "/table-Customers.lock")
        #expect(FileManager.default.createFile(atPath: left, contents: nil))
        #expect(FileManager.default.createFile(atPath: held, contents: nil))
        let fd = open(held, O_RDWR)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let result = try await box.run(["--lock"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("ran"))
        #expect(!FileManager.default.fileExists(atPath: left), "a lock nobody holds is removed")
        #expect(FileManager.default.fileExists(atPath: held), "a held lock stays")
    }
}
