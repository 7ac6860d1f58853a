import Foundation
import Testing

@testable import CaspioClient

/// Waiting for another process's hold on the token cache lock is bounded and ends when the
/// waiting task is cancelled (a stopped run), instead of blocking a thread until it is free.
@Suite struct TokenLockTests {
    @Test func aCancelledWaitForTheCacheLockEndsAtOnce() async throws {
        let directory = temporaryPath("lock")
        let cache = TokenCache(directory: directory, tokenURL: "https://c1abc123.caspio.com/oauth/token", clientID: "id", warn: { _ in })
        try await cache.withLock { () }  // creates the directory and the lock file
        // Another process's hold: an flock on a descriptor of its own.
        let held = open(cache.lockPath, O_RDWR)
        #expect(flock(held, LOCK_EX) == 0)
        let release = Task.detached {
            try? await Task.sleep(for: .seconds(10))
            close(held)
        }
        let started = Date()
        let waiter = Task { try await cache.withLock { "got it" } }
        try await Task.sleep(for: .milliseconds(200))
        waiter.cancel()
        let outcome = await waiter.result
        let elapsed = Date().timeIntervalSince(started)
        release.cancel()
        close(held)
        #expect(elapsed < 3, "the wait outlived its cancellation: \(elapsed)s")
        #expect(throws: CancellationError.self) { try outcome.get() }
    }
}
