/// Caspio often answers an expired or revoked access token with `400 IncorrectQueryParameter`
/// instead of 401, so such a 400 may be the token's fault or the request's. This decides
/// which at a bounded cost: one renewal and one replay settle it. A replay after a 400 is
/// safe: Caspio wrote nothing. But it is a billed call, so once a 400 has proved genuine (the
/// replay with a fresh token got the same answer) later ones are taken as they are, and a 400
/// to a token that a later request used successfully is not doubted at all. Requests that get
/// such a 400 while a check runs wait for its verdict instead of each renewing and replaying.
actor StaleTokenCheck {
    enum Decision {
        /// The 400 is the request's own: pass it on.
        case surface
        /// The caller checks: renews, replays once, and reports with `finish`.
        case check
        /// A check found the token stale: replay with the renewed token.
        case replay
    }

    private var genuineSeen = false
    private var checking = false
    private var waiting: [CheckedContinuation<Bool, Never>] = []
    /// The token of the latest-sent request that succeeded, and when it was sent.
    private var confirmed: (token: Secret, sentAt: ContinuousClock.Instant)?

    /// Whether `response` is the answer Caspio may give a stale token.
    nonisolated static func suspects(_ response: CaspioResponse) -> Bool {
        response.status == 400 && response.error.code == "IncorrectQueryParameter"
    }

    /// A request sent with `token` at `sentAt` succeeded.
    func confirm(_ token: Secret, sentAt: ContinuousClock.Instant) {
        if let confirmed, confirmed.sentAt > sentAt { return }
        confirmed = (token, sentAt)
    }

    /// What to do with a suspect 400 to a request sent with `token` at `sentAt`.
    func decide(token: Secret, sentAt: ContinuousClock.Instant) async -> Decision {
        if genuineSeen { return .surface }
        // A request sent after this one got through with the same token: the token was good.
        if let confirmed, confirmed.token == token, confirmed.sentAt >= sentAt { return .surface }
        guard checking else {
            checking = true
            return .check
        }
        let stale = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in waiting.append(continuation) }
        return stale ? .replay : .surface
    }

    /// The check's verdict: true if the token was stale, false if the 400 was genuine, nil if
    /// the check could not tell (the renewal failed).
    func finish(stale: Bool?) {
        checking = false
        if stale == false { genuineSeen = true }
        let woken = waiting
        waiting = []
        for continuation in woken { continuation.resume(returning: stale ?? false) }
    }
}
