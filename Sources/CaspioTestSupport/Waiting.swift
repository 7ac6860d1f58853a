import Foundation

/// Polls (bounded) for a condition another process or task brings about; not a sleep for a
/// race: it returns as soon as the condition holds. It suspends between checks, holding no
/// thread of Swift's pool, which the tasks it waits for may need (the pool has a thread per core).
@discardableResult
public func waitFor(_ seconds: Double = 20, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while await !condition() {
        if ContinuousClock.now > deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}

/// Runs a blocking wait (a process, a pipe, a thread) on a thread of its own and suspends until
/// it returns: a test must never block one of the pool's threads, which in-process servers and
/// the tasks of other tests run on (a thread per core, two on the CI machine).
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// `onOwnThread` for a wait that cannot fail.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
