import Foundation

/// Polls (bounded) for a condition another process brings about; not a sleep for a race:
/// it returns as soon as the condition holds.
@discardableResult
public func waitFor(_ seconds: Double = 20, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !condition() {
        if Date() > deadline { return false }
        usleep(10_000)
    }
    return true
}

/// `waitFor` for async tests: suspends between checks, holding no thread of Swift's pool, which
/// the tasks it waits for may need (the pool has a thread per core, and other tests block theirs).
public func waitUntil(_ seconds: Double = 20, _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return true
}
