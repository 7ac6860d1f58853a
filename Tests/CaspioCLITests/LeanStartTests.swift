import CaspioTestSupport
import Foundation
import Testing

/// A run makes nothing it may not need: one that never calls Caspio starts no thread (no
/// event loop, no stop watcher, no HTTP client).
@Suite struct LeanStartTests {
    let threads = "print(io.open('/proc/self/status'):read('a'):match('Threads:%s*(%d+)'))"

    @Test func aRunThatNeverCallsCaspioStartsNoThread() throws {
        let empty = try caspio(["-e", threads])
        #expect(empty.status == 0, "\(empty.stderr)")
        #expect(empty.stdout == "1\n")
        // The module itself used, without a request.
        let module = try caspio(["-e", "local w = caspio.json.encode({a = 1})", "-e", threads])
        #expect(module.status == 0, "\(module.stderr)")
        #expect(module.stdout == "1\n")
    }
}
