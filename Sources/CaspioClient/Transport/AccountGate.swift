import NIOConcurrencyHelpers

/// The one gate every request of a run passes, because Caspio's limiter is per account, not
/// per request: eight workers each retrying on their own keep the account locked.
///
/// - Pacing: with a rate, a token bucket of depth one spaces request starts `1/rate` apart.
/// - Pause: a 429 or 503 closes the gate for every request (queued ones and the refused ones
///   coming back) until `Retry-After` has passed.
/// - AIMD: a new lockout halves the concurrency and the rate (measured from what the server
///   accepted in the last second); every `growthRun` successes add one request in flight and
///   half a request per second back.
final class AccountGate: Sendable {
    enum Outcome {
        /// The server took the request (any answer that is not a refusal).
        case accepted
        /// 429 or 503: the account is closed for `pause` seconds.
        case refused(pause: Double)
        /// No answer (network error) or a gateway error: says nothing about the limiter.
        case unknown
    }

    /// What `enter` hands out and `leave` takes back.
    struct Pass {
        let sentAt: ContinuousClock.Instant
    }

    static let growthRun = 20
    /// Above this many in flight a learned concurrency cap is dropped: the caller's own rules.
    static let concurrencyCeiling = 64
    static let rateStep = 0.5
    static let minimumRate = 0.5

    fileprivate struct State {
        var configuredRate: Double?
        /// Learned from lockouts; the effective rate is the lower of the two.
        var learnedRate: Double?
        var concurrencyLimit: Int?
        var nextSlot = ContinuousClock.now
        var pausedUntil: ContinuousClock.Instant?
        var lastLockout: ContinuousClock.Instant?
        var inFlight = 0
        var successRun = 0
        var acceptedSinceLockout = false
        /// Successes since the last lockout, in the last second: the server's measured pace.
        var recentSuccesses: [ContinuousClock.Instant] = []
        var waiters: [(id: Int, resume: CheckedContinuation<Void, Never>)] = []
        var nextWaiter = 0

        var rate: Double? {
            switch (configuredRate, learnedRate) {
            case let (a?, b?): min(a, b)
            case let (a, b): a ?? b
            }
        }
        var hasRoom: Bool { concurrencyLimit.map { inFlight < $0 } ?? true }

        /// Continuations to resume, as many as there is room for.
        mutating func admitWaiters() -> [CheckedContinuation<Void, Never>] {
            var woken: [CheckedContinuation<Void, Never>] = []
            var room = concurrencyLimit.map { $0 - inFlight } ?? waiters.count
            while room > 0, !waiters.isEmpty {
                woken.append(waiters.removeFirst().resume)
                room -= 1
            }
            return woken
        }
    }

    private let state: NIOLockedValueBox<State>
    private let counters: Counters

    init(rate: Double?, counters: Counters) {
        state = NIOLockedValueBox(State(configuredRate: rate))
        self.counters = counters
    }

    /// Waits until the account is open, there is room in flight and the pace allows a start.
    /// Throws only when the task is cancelled (Ctrl-C, --timeout, a failed `caspio.map`).
    func enter() async throws(CaspioError) -> Pass {
        enum Step { case wait(Duration), queue, go, goAt(ContinuousClock.Instant) }
        while true {
            if Task.isCancelled { throw CaspioError(.network, "cancelled") }
            let step = state.withLockedValue { s -> Step in
                let now = ContinuousClock.now
                if let until = s.pausedUntil, until > now { return .wait(now.duration(to: until)) }
                guard s.hasRoom else { return .queue }
                s.inFlight += 1
                guard let rate = s.rate else { return .go }
                let slot = max(now, s.nextSlot)
                s.nextSlot = slot + .nanoseconds(Int64(1e9 / rate))
                return slot > now ? .goAt(slot) : .go
            }
            switch step {
            case .wait(let duration):
                try? await Task.sleep(for: duration)
            case .queue:
                await waitForRoom()
            case .go:
                return Pass(sentAt: .now)
            case .goAt(let slot):
                try? await Task.sleep(until: slot, clock: .continuous)
                let paused = state.withLockedValue { s in s.pausedUntil.map { $0 > .now } ?? false }
                if !paused && !Task.isCancelled { return Pass(sentAt: .now) }
                release()  // the account closed (or the run stopped) while we waited
            }
        }
    }

    /// Gives the place back and learns from the answer.
    func leave(_ pass: Pass, _ outcome: Outcome) {
        let now = ContinuousClock.now
        let (woken, pausedFor) = state.withLockedValue { s -> ([CheckedContinuation<Void, Never>], Double) in
            let concurrency = s.inFlight
            s.inFlight -= 1
            var pausedFor = 0.0
            switch outcome {
            case .accepted:
                s.recentSuccesses.append(now)
                s.recentSuccesses.removeAll { $0 < now - .seconds(1) }
                s.successRun += 1
                if s.lastLockout.map({ pass.sentAt > $0 }) ?? true { s.acceptedSinceLockout = true }
                if s.successRun >= Self.growthRun { s.grow() }
            case .refused(let pause):
                let until = now + .nanoseconds(Int64(max(0, pause) * 1e9))
                let open = max(s.pausedUntil ?? now, now)
                if until > open { pausedFor = Self.seconds(open.duration(to: until)) }
                s.pausedUntil = max(s.pausedUntil ?? until, until)
                // Requests sent before the lockout began come back refused too, and so do the
                // first ones after a pause that ended too early: all one lockout.
                if s.lastLockout.map({ pass.sentAt > $0 && s.acceptedSinceLockout }) ?? true {
                    s.lastLockout = now
                    s.shrink(concurrency: concurrency)
                }
            case .unknown:
                break
            }
            return (s.admitWaiters(), pausedFor)
        }
        if case .refused = outcome { counters.countThrottled(pausedFor: pausedFor) }
        for continuation in woken { continuation.resume() }
    }

    private func release() {
        let woken = state.withLockedValue { s in
            s.inFlight -= 1
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
                    if Task.isCancelled || s.hasRoom { return true }
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

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

extension AccountGate.State {
    /// Multiplicative decrease, on a new lockout.
    fileprivate mutating func shrink(concurrency: Int) {
        concurrencyLimit = max(1, min(concurrencyLimit ?? .max, concurrency) / 2)
        let measured = Double(recentSuccesses.count)
        if measured >= 2 {
            learnedRate = max(AccountGate.minimumRate, min(rate ?? .infinity, measured) / 2)
        } else if let rate {
            learnedRate = max(AccountGate.minimumRate, rate / 2)
        }
        // Too few successes to measure and no rate yet: the halved concurrency must do.
        recentSuccesses.removeAll()
        successRun = 0
        acceptedSinceLockout = false
    }

    /// Additive increase, after a run of successes.
    fileprivate mutating func grow() {
        successRun = 0
        if let limit = concurrencyLimit {
            concurrencyLimit = limit + 1 >= AccountGate.concurrencyCeiling ? nil : limit + 1
        }
        if let learned = learnedRate {
            let next = learned + AccountGate.rateStep
            learnedRate = configuredRate.map { next >= $0 } ?? false ? nil : next
        }
    }
}
