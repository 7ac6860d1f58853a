import CaspioTestSupport
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
        defer { close(held) }
        // Off Swift's pool, and timed where it runs: a busy pool must not pass for a slow wait.
        // (Were cancelling broken, the wait would still end, after TokenCache.lockWait.)
        let (outcome, elapsed) = await withTaskExecutorPreference(RequestExecutor.shared) {
            let waiter = Task(executorPreference: RequestExecutor.shared) { () async -> Result<String, any Error> in
                do { return .success(try await cache.withLock { "got it" }) } catch { return .failure(error) }
            }
            try? await Task.sleep(for: .milliseconds(200))
            let cancelled = ContinuousClock.now
            waiter.cancel()
            let outcome = await waiter.value
            return (outcome, AccountGate.seconds(cancelled.duration(to: .now)))
        }
        #expect(elapsed < 3, "the wait outlived its cancellation: \(elapsed)s")
        #expect(throws: CancellationError.self) { try outcome.get() }
    }
}

/// A hung token endpoint does not serialize the processes queued on the cache lock: when the
/// holder's request found no endpoint, those that waited for it fail at once, without a
/// request of their own.
@Suite struct HungTokenEndpointTests {
    @Test func waitersBehindAnUnreachableEndpointFailAtOnce() async throws {
        let directory = temporaryPath("hung")
        @Sendable func cache() -> TokenCache {
            TokenCache(directory: directory, tokenURL: "https://c1abc123.caspio.com/oauth/token", clientID: "id", warn: { _ in })
        }
        let asked = NIOLockedCounter()
        // Off Swift's pool, and the waiter started once the holder holds the lock (not after a
        // guessed time): a busy pool could otherwise let the holder finish first.
        let (holding, waiting) = await withTaskExecutorPreference(RequestExecutor.shared) {
            let holder = Task(executorPreference: RequestExecutor.shared) {
                try await cache().withLock { () async throws -> Int in
                    _ = asked.increment()
                    try await Task.sleep(for: .milliseconds(600))
                    throw CaspioError(.timeout, "the request took longer than its timeout")
                }
            }
            #expect(await waitFor(10) { asked.value == 1 }, "the holder holds the lock")
            let waiter = Task(executorPreference: RequestExecutor.shared) {
                try await cache().withLock { () async throws -> Int in asked.increment() }
            }
            return (await holder.result, await waiter.result)
        }
        #expect(throws: CaspioError.self) { try holding.get() }
        let error = #expect(throws: CaspioError.self) { try waiting.get() }
        #expect(error?.message.contains("did not answer another caspio process") == true, "\(String(describing: error))")
        #expect(asked.value == 1, "the waiter sent no request of its own")

        // A later process (that did not queue behind the failure) asks again.
        #expect(try await cache().withLock { () async throws -> Int in asked.increment() } == 2)
    }
}
