/// The account gate's decisions, without locks or clocks: times are offsets from the gate's
/// start, so that tests can drive it through virtual time.
///
/// - Pacing: with a rate, request starts are spaced `1/rate` apart.
/// - Pause: a refusal (429, or 503 with Retry-After) closes the gate for every request until
///   the time given. Afterwards the pace ramps from half of what it was back to full over
///   `rampTime` of open time: gentle, but a matter of seconds.
/// - Learning from the account's limiter (429 only; a 503 is the server's trouble, not the
///   account's limit): a new lockout sets the pace to a fraction of what the account accepted
///   in the last second, and halves the requests in flight; every `growthRun` successes add
///   one request in flight and a little pace back, probing for more.
struct AccountPacer {
    enum Outcome {
        /// The server took the request (any answer that is not a refusal).
        case accepted
        /// The account is closed for `pause` seconds; `limiter`: a 429, the account's limit.
        case refused(pause: Double, limiter: Bool)
        /// No answer (network error), a gateway error or a bare 503: says nothing of the account.
        case unknown
    }

    enum Admission {
        /// Start now (a place in flight is taken).
        case go
        /// Start at this time (a place in flight is taken): the pace's next slot.
        case goAt(Duration)
        /// The account is closed until then; ask again.
        case wait(until: Duration)
        /// No room in flight; ask again when a request leaves.
        case queue
    }

    /// A refusal that closed the gate (or kept it closed longer).
    struct Closing: Equatable {
        /// Seconds the gate is now closed for, from the refusal on.
        var seconds: Double
        /// Seconds added to the pause (all of them when it began).
        var added: Double
        /// The gate was open: this refusal began a pause (not one more of the same).
        var began: Bool
        /// The pace the run resumes at: requests per second, nil for unpaced.
        var resumeRate: Double?
        var concurrencyLimit: Int?
    }

    static let growthRun = 20
    /// Above this many in flight a learned concurrency cap is dropped: the caller's own rules.
    static let concurrencyCeiling = 64
    /// After a lockout, the pace is this share of what the account accepted in its last second.
    static let lockoutBackoff = 0.8
    static let minimumRate = 0.5
    /// Open time over which the pace after a pause ramps back from half to full.
    static let rampTime = Duration.seconds(2)

    var configuredRate: Double?
    /// Learned from lockouts; the effective rate is the lower of the two.
    var learnedRate: Double?
    var concurrencyLimit: Int?
    var nextSlot = Duration.zero
    var pausedUntil: Duration?
    var lastLockout: Duration?
    /// When the request that began the last lockout was sent.
    var lockoutSentAt: Duration?
    var inFlight = 0
    var successRun = 0
    var acceptedSinceLockout = false
    /// When the gate last opened (the end of the last pause).
    var openedAt = Duration.zero
    /// When the successes of the last seconds of open time were sent: the server's measured pace.
    var recentSuccesses: [Duration] = []
    /// After a pause: the pace to ramp back to, and from when.
    var ramp: (full: Double, from: Duration)?

    init(rate: Double?) { configuredRate = rate }

    /// The pace now (requests per second), nil for unpaced.
    func rate(at now: Duration) -> Double? {
        var rate: Double? = switch (configuredRate, learnedRate) {
        case let (a?, b?): min(a, b)
        case let (a, b): a ?? b
        }
        if let ramp, now < ramp.from + Self.rampTime {
            let progress = max(0, Self.seconds(now - ramp.from) / Self.seconds(Self.rampTime))
            rate = min(rate ?? .infinity, max(Self.minimumRate, ramp.full * (0.5 + 0.5 * progress)))
        }
        return rate
    }

    var hasRoom: Bool { concurrencyLimit.map { inFlight < $0 } ?? true }

    func isPaused(at now: Duration) -> Bool { pausedUntil.map { $0 > now } ?? false }

    /// Whether a request may start now; `.go` and `.goAt` take a place in flight.
    mutating func admit(at now: Duration) -> Admission {
        if let until = pausedUntil, until > now { return .wait(until: until) }
        if let ramp, now >= ramp.from + Self.rampTime { self.ramp = nil }
        guard hasRoom else { return .queue }
        inFlight += 1
        guard let rate = rate(at: now) else { return .go }
        let slot = max(now, nextSlot)
        nextSlot = slot + .nanoseconds(Int64(1e9 / rate))
        return slot > now ? .goAt(slot) : .go
    }

    /// A place taken by `admit` and not used (the run stopped, or the account closed meanwhile).
    mutating func release() { inFlight -= 1 }

    /// Gives the place back and learns from the answer. Returns the closing a refusal made.
    mutating func leave(sentAt: Duration, _ outcome: Outcome, at now: Duration) -> Closing? {
        let concurrency = inFlight
        inFlight -= 1
        switch outcome {
        case .accepted:
            recentSuccesses.append(sentAt)
            recentSuccesses.removeAll { $0 < now - .seconds(2) || $0 < openedAt }
            // Late news from before the lockout: the account took this one too. (A refusal
            // comes back at once, a success only after the work, so some arrive after it.)
            if let lockoutSentAt, let learned = learnedRate, sentAt < lockoutSentAt, sentAt >= lockoutSentAt - .seconds(1) {
                learnedRate = min(learned + Self.lockoutBackoff, configuredRate ?? .infinity)
                ramp?.full += Self.lockoutBackoff
            }
            successRun += 1
            if lastLockout.map({ sentAt > $0 }) ?? true { acceptedSinceLockout = true }
            if successRun >= Self.growthRun { grow() }
            return nil
        case .refused(let pause, let limiter):
            let until = now + .nanoseconds(Int64(max(0, pause) * 1e9))
            let wasPaused = isPaused(at: now)
            let before = rateBeforePause(at: now)
            var lockout = false
            if limiter, lastLockout.map({ sentAt > $0 && acceptedSinceLockout }) ?? true {
                // Requests sent before the lockout began come back refused too, and so do the
                // first ones after a pause that ended too early: all one lockout.
                lockout = true
                lastLockout = now
                lockoutSentAt = sentAt
                shrink(concurrency: concurrency, refusedSentAt: sentAt, at: now)
            }
            // The pace to come back to: the learned one after a lockout; else a ramp under way
            // keeps its goal; else the pace before the pause.
            if lockout, let learned = learnedRate {
                ramp = (learned, until)
            } else if !wasPaused, ramp.map({ now >= $0.from + Self.rampTime }) ?? true {
                ramp = before.isFinite ? (before, until) : nil
            }
            let open = max(pausedUntil ?? now, now)
            guard until > open else { return nil }
            pausedUntil = until
            openedAt = until
            nextSlot = until
            ramp?.from = until
            return Closing(
                seconds: Self.seconds(until - now), added: Self.seconds(until - open), began: !wasPaused,
                resumeRate: rate(at: until), concurrencyLimit: concurrencyLimit)
        case .unknown:
            return nil
        }
    }

    /// Ctrl-C: the pause is over for whatever the user does next.
    mutating func endPause(at now: Duration) {
        guard let until = pausedUntil, until > now else { return }
        pausedUntil = now
        openedAt = now
        nextSlot = min(nextSlot, now)
        ramp?.from = now
    }

    /// The pace before a pause: the rate in force, else the successes of the last second of
    /// open time (as a rate); infinity when too few to tell.
    private func rateBeforePause(at now: Duration) -> Double {
        if let rate = rate(at: now) { return rate }
        let open = Self.seconds(now - max(openedAt, now - .seconds(1)))
        let count = recentSuccesses.filter { $0 >= max(openedAt, now - .seconds(1)) }.count
        guard count >= 2, open > 0 else { return .infinity }
        return Double(count) / max(open, 0.1)
    }

    /// Multiplicative decrease, on a new lockout.
    private mutating func shrink(concurrency: Int, refusedSentAt: Duration, at now: Duration) {
        concurrencyLimit = max(1, min(concurrencyLimit ?? .max, concurrency) / 2)
        // What the account accepted in the second before it refused (its limit's window, as far
        // as known); successes still on their way are added as they arrive.
        let measured = Double(recentSuccesses.filter { $0 >= refusedSentAt - .seconds(1) && $0 < refusedSentAt }.count)
        if measured >= 2 {
            learnedRate = max(Self.minimumRate, min(rate(at: now) ?? .infinity, measured) * Self.lockoutBackoff)
        } else if let rate = rate(at: now) {
            learnedRate = max(Self.minimumRate, rate / 2)
        }
        // Too few successes to measure and no rate yet: the halved concurrency must do.
        recentSuccesses.removeAll()
        successRun = 0
        acceptedSinceLockout = false
    }

    /// Additive increase, after a run of successes.
    private mutating func grow() {
        successRun = 0
        if let limit = concurrencyLimit {
            concurrencyLimit = limit + 1 >= Self.concurrencyCeiling ? nil : limit + 1
        }
        if let learned = learnedRate {
            let next = learned + max(0.5, learned / 20)
            learnedRate = configuredRate.map { next >= $0 } ?? false ? nil : next
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
