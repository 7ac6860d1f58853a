import Foundation
import LuaBridge

/// Webhook messages checked by the listener, waiting for the mirror's Lua thread, the one
/// writer of the target, to apply them in the pause between runs. A message is kept once by
/// its `messageId` (Caspio delivers at least once): a repeat is answered but not queued.
final class WebhookInbox: @unchecked Sendable {
    enum Admission: Equatable { case queued, repeated }

    /// How many messageIds are remembered for spotting repeats (the oldest forgotten first);
    /// a repeat older than these is applied again, which changes nothing (the per-row order
    /// of events in the target ignores it).
    static let remembered = 100_000

    private let condition = NSCondition()
    private var queue: [String] = []
    private var seen: Set<String> = []
    private var seenOrder: [String] = []
    private var seenStart = 0
    /// The current pause's end has come (its timer fired).
    private var pauseOver = true
    /// Which pause a timer belongs to: a cancelled one's late end ends nothing.
    private var pauseNumber = 0
    private var pauseTimer: Task<Void, Never>?
    private var stops: StopObservation?
    /// What a pause is measured with: the real clock in a run, a test's in virtual time.
    private let clock: any Clock<Duration>

    init(clock: any Clock<Duration> = ContinuousClock()) { self.clock = clock }

    /// Queues `body` unless its messageId was seen.
    func admit(messageId: String, body: String) -> Admission {
        condition.lock()
        defer { condition.unlock() }
        guard seen.insert(messageId).inserted else { return .repeated }
        seenOrder.append(messageId)
        if seenOrder.count - seenStart > Self.remembered {
            seen.remove(seenOrder[seenStart])
            seenStart += 1
            if seenStart > Self.remembered {
                seenOrder.removeFirst(seenStart)
                seenStart = 0
            }
        }
        queue.append(body)
        condition.broadcast()
        return .queued
    }

    /// Starts a pause of `seconds` on the inbox's clock.
    func pause(_ seconds: Double) {
        condition.lock()
        pauseTimer?.cancel()
        pauseOver = false
        pauseNumber += 1
        let number = pauseNumber
        // Capped at a century, as caspio.sleep's: Duration cannot hold math.huge.
        let duration = Duration.seconds(min(seconds, 100 * 365 * 86400)), clock = clock
        pauseTimer = Task { [self] in
            try? await clock.sleep(for: duration)
            endPause(number)
        }
        if stops == nil {
            let condition = condition
            stops = RunStop.observe {
                condition.lock()
                condition.broadcast()
                condition.unlock()
            }
        }
        condition.unlock()
    }

    private func endPause(_ number: Int) {
        condition.lock()
        if number == pauseNumber { pauseOver = true }
        condition.broadcast()
        condition.unlock()
    }

    /// The messages queued, waiting for some while the pause lasts; nil once it is over or a
    /// stop (SIGTERM, Ctrl-C) came.
    func next() -> [String]? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty, !pauseOver, !RunStop.isRequested { condition.wait() }
        if RunStop.isRequested { return nil }
        if queue.isEmpty { return nil }
        defer { queue = [] }
        return queue
    }

    /// Messages queued and not yet taken (for tests).
    var waiting: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }
}
