import CaspioTestSupport
import Foundation

@testable import CaspioClient

/// `count` requests by `concurrency` workers through an AccountPacer against a model server,
/// as discrete events in virtual time: the pacer's decisions with the server's answers, and
/// no real second spent.
struct PacingSimulation {
    enum Server {
        /// More than `maxRequests` in a sliding `window` lock the account for `lockout`: 429s.
        case limiter(maxRequests: Int, window: Double, lockout: Double)
        /// A share of requests answered 503, with `Retry-After` or bare.
        case flaky(share: Double, retryAfter: Double?)
    }

    struct Result {
        var seconds = 0.0
        var lockouts = 0
        var refusals = 0
        var failures = 0
        var pauses = 0
        var paused = 0.0
    }

    var server: Server
    /// Seconds to answer a request the server serves; a refusal comes back at once.
    var latency = 0.02
    var retry = RetryPolicy()
    var seed: UInt64 = 1

    func run(count: Int, concurrency: Int, rate: Double?) -> Result {
        var pacer = AccountPacer(rate: rate)
        var result = Result()
        var random = SeededGenerator(seed: seed)
        // The server's state.
        var accepted: [Double] = []
        var lockedUntil = 0.0
        // Events: (time, order, worker, kind).
        enum Kind { case admit, sendAt, answer(sentAt: Double, status: Int, retryAfter: Double?) }
        var events: [(Double, Int, Int, Kind)] = []
        var order = 0
        func schedule(_ time: Double, _ worker: Int, _ kind: Kind) {
            order += 1
            events.append((time, order, worker, kind))
        }
        var next = 0
        var attempts = [Int](repeating: 0, count: concurrency)
        var refusalsOf = [Int](repeating: 0, count: concurrency)
        var queued: [Int] = []
        var done = 0
        for worker in 0..<concurrency where next < count {
            next += 1
            schedule(0, worker, .admit)
        }
        func d(_ t: Double) -> Duration { .nanoseconds(Int64((t * 1e9).rounded())) }
        // The server decides as the request arrives; it refuses at once and serves in `latency`.
        func send(_ worker: Int, at now: Double) {
            var status = 200
            var retryAfter: Double?
            switch server {
            case .limiter(let maxRequests, let window, let lockout):
                if now < lockedUntil {
                    (status, retryAfter) = (429, (lockedUntil - now).rounded(.up))
                } else {
                    accepted.removeAll { $0 <= now - window }
                    accepted.append(now)
                    if accepted.count > maxRequests {
                        lockedUntil = now + lockout
                        accepted.removeAll()
                        result.lockouts += 1
                        (status, retryAfter) = (429, lockout)
                    }
                }
            case .flaky(let share, let after):
                if Double.random(in: 0..<1, using: &random) < share { (status, retryAfter) = (503, after) }
            }
            schedule(now + (status == 200 ? latency : 0.001), worker, .answer(sentAt: now, status: status, retryAfter: retryAfter))
        }

        while !events.isEmpty {
            let index = events.indices.min { (events[$0].0, events[$0].1) < (events[$1].0, events[$1].1) }!
            let (now, _, worker, kind) = events.remove(at: index)
            var left = false
            switch kind {
            case .admit:
                switch pacer.admit(at: d(now)) {
                case .go: send(worker, at: now)
                case .goAt(let at): schedule(AccountPacer.seconds(at), worker, .sendAt)
                case .wait(let until): schedule(AccountPacer.seconds(until), worker, .admit)
                case .queue: queued.append(worker)
                }
            case .sendAt:
                if pacer.isPaused(at: d(now)) {
                    pacer.release()
                    left = true
                    schedule(now, worker, .admit)
                } else {
                    send(worker, at: now)
                }
            case .answer(let sentAt, let status, let retryAfter):
                left = true
                if status == 200 {
                    _ = pacer.leave(sentAt: d(sentAt), .accepted, at: d(now))
                    done += 1
                    result.seconds = now
                    attempts[worker] = 0
                    refusalsOf[worker] = 0
                    if next < count {
                        next += 1
                        schedule(now, worker, .admit)
                    }
                } else if let retryAfter {
                    result.refusals += 1
                    refusalsOf[worker] += 1
                    let pause = retry.pause(afterRefusal: refusalsOf[worker], retryAfter: retryAfter)
                    if let closing = pacer.leave(sentAt: d(sentAt), .refused(pause: pause, limiter: status == 429), at: d(now)) {
                        result.paused += closing.added
                        if closing.began { result.pauses += 1 }
                    }
                    schedule(now, worker, .admit)
                } else {
                    _ = pacer.leave(sentAt: d(sentAt), .unknown, at: d(now))
                    attempts[worker] += 1
                    if attempts[worker] >= retry.maxAttempts {
                        result.failures += 1
                        attempts[worker] = 0
                        if next < count {
                            next += 1
                            schedule(now, worker, .admit)
                        }
                    } else {
                        let delay = retry.delay(beforeRetry: attempts[worker], retryAfter: nil) { Double.random(in: 0...$0, using: &random) }
                        schedule(now + delay, worker, .admit)
                    }
                }
            }
            if left {
                for waiting in queued { schedule(now, waiting, .admit) }
                queued.removeAll()
            }
        }
        // A request that never ended (a worker left waiting) counts as a failure.
        result.failures = count - done
        return result
    }
}

