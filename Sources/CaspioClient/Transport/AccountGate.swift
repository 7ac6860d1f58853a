import NIOConcurrencyHelpers

/// The one gate every request of a run passes, because Caspio's limiter is per account, not
/// per request: eight workers each retrying on their own keep the account locked. What it
/// decides is AccountPacer's; this adds the lock, the clock and the queue of waiting requests.
final class AccountGate: Sendable {
    typealias Outcome = AccountPacer.Outcome

    /// What `enter` hands out and `leave` takes back.
    struct Pass {
        let sentAt: Duration
    }

    private struct State {
        var pacer: AccountPacer
        var waiters: [(id: Int, resume: CheckedContinuation<Void, Never>)] = []
        var nextWaiter = 0

        /// Continuations to resume, as many as there is room for.
        mutating func admitWaiters() -> [CheckedContinuation<Void, Never>] {
            var woken: [CheckedContinuation<Void, Never>] = []
            var room = pacer.concurrencyLimit.map { $0 - pacer.inFlight } ?? waiters.count
            while room > 0, !waiters.isEmpty {
                woken.append(waiters.removeFirst().resume)
                room -= 1
            }
            return woken
        }
    }

    private let state: NIOLockedValueBox<State>
    private let counters: Counters
    private let clock: GateClock

    init(rate: Double?, counters: Counters, clock: any Clock<Duration> = ContinuousClock()) {
        state = NIOLockedValueBox(State(pacer: AccountPacer(rate: rate)))
        self.counters = counters
        self.clock = GateClock(clock)
    }

    /// Waits until the account is open, there is room in flight and the pace allows a start.
    /// Throws only when the task is cancelled (Ctrl-C, --timeout, a failed `caspio.map`).
    func enter() async throws(CaspioError) -> Pass {
        while true {
            if Task.isCancelled { throw CaspioError(.network, "cancelled") }
            let now = clock.now()
            switch state.withLockedValue({ $0.pacer.admit(at: now) }) {
            case .wait(let until):
                try? await clock.sleep(until - now)
            case .queue:
                await waitForRoom()
            case .go:
                return Pass(sentAt: now)
            case .goAt(let slot):
                try? await clock.sleep(slot - now)
                let at = clock.now()
                let paused = state.withLockedValue { $0.pacer.isPaused(at: at) }
                if !paused && !Task.isCancelled { return Pass(sentAt: at) }
                release()  // the account closed (or the run stopped) while we waited
            }
        }
    }

    /// Gives the place back and learns from the answer; a refusal that closed the gate (or
    /// kept it closed longer) is counted and returned.
    @discardableResult
    func leave(_ pass: Pass, _ outcome: Outcome) -> AccountPacer.Closing? {
        let now = clock.now()
        let (woken, closing) = state.withLockedValue { s in
            let closing = s.pacer.leave(sentAt: pass.sentAt, outcome, at: now)
            return (s.admitWaiters(), closing)
        }
        if case .refused = outcome {
            counters.countRefusal(pausedFor: closing?.added ?? 0, newPause: closing?.began ?? false)
        }
        for continuation in woken { continuation.resume() }
        return closing
    }

    /// Ctrl-C: whatever the user does next does not wait out the pause. (Requests that were
    /// waiting are cancelled and stop waiting on their own.)
    func endPause() {
        let now = clock.now()
        state.withLockedValue { $0.pacer.endPause(at: now) }
    }

    /// Sets the configured pace once the run has learned it (`--rate auto`).
    func setRate(_ rate: Double) {
        state.withLockedValue { $0.pacer.configuredRate = rate }
    }

    /// The pace now, for messages: requests per second, nil for unpaced.
    var rate: Double? {
        let now = clock.now()
        return state.withLockedValue { $0.pacer.rate(at: now) }
    }

    private func release() {
        let woken = state.withLockedValue { s in
            s.pacer.release()
            return s.admitWaiters()
        }
        for continuation in woken { continuation.resume() }
    }

    private func waitForRoom() async {
        let id = state.withLockedValue { s in
            s.nextWaiter += 1
            return s.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLockedValue { s -> Bool in
                    if Task.isCancelled || s.pacer.hasRoom { return true }
                    s.waiters.append((id, continuation))
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiting = state.withLockedValue { s in
                s.waiters.firstIndex { $0.id == id }.map { s.waiters.remove(at: $0).resume }
            }
            waiting?.resume()
        }
    }

    static func seconds(_ duration: Duration) -> Double { AccountPacer.seconds(duration) }
}

/// A clock as the gate uses it: time since the gate was made, and sleeps. Any
/// `Clock<Duration>` will do, so that tests run the gate in virtual time.
struct GateClock: Sendable {
    let now: @Sendable () -> Duration
    let sleep: @Sendable (Duration) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        self.init(opened: clock)
    }

    private init<C: Clock<Duration>>(opened clock: C) {
        let origin = clock.now
        now = { origin.duration(to: clock.now) }
        sleep = { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
    }
}
