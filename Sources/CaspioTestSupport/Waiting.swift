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
