import LuaBridge
import CaspioClient
import Foundation

/// Runs HTTP requests on Swift's concurrency threads while Lua waits on its own thread.
/// A request is a ticket: started without blocking, then waited for, alone (a plain call) or
/// with others (the `caspio.map` scheduler). A wait sleeps until an outcome or a stop
/// (Ctrl-C, SIGTERM, --timeout) wakes it. Generic over what the work produces: HTTP responses
/// for scripts' requests, tokens for auth and refresh.
final class RequestBroker<Value: Sendable>: @unchecked Sendable {
    typealias Outcome = Result<Value, CaspioError>

    private let condition = NSCondition()
    private var finished: [Int: Outcome] = [:]
    private var running: [Int: Task<Void, Never>] = [:]
    /// Cancelled while running: their late outcomes are dropped, not kept forever.
    private var abandoned: Set<Int> = []
    /// Sleeps not yet over (their clock has not reached their end).
    private var sleeping: Set<Int> = []
    private var nextTicket = 1
    /// What `sleep` measures time with: the real one in a run, a test's in virtual time.
    private let clock: any Clock<Duration>
    /// Made by the first wait, not before: a run that never waits (`caspio -e ''`, a script
    /// that never calls Caspio) starts no stop-watching thread.
    private var stops: StopObservation?

    init(clock: any Clock<Duration> = ContinuousClock()) {
        self.clock = clock
    }

    /// Wakes this broker's waits at every stop, from the first wait on. Called with the lock
    /// held and before the wait checks for a stop, so that a stop cannot fall between that
    /// check and the sleep (the broadcast needs the lock, which the sleep releases).
    private func observeStops() {
        guard stops == nil else { return }
        let condition = condition
        stops = RunStop.observe {
            condition.lock()
            condition.broadcast()
            condition.unlock()
        }
    }

    private func newTicket() -> Int {
        condition.lock()
        defer { condition.unlock() }
        let ticket = nextTicket
        nextTicket += 1
        return ticket
    }

    /// Starts `work` and returns its ticket at once.
    func start(_ work: @escaping @Sendable () async throws(CaspioError) -> Value) -> Int {
        let ticket = newTicket()
        let task = Task(executorPreference: RequestExecutor.shared) { [self] in
            let outcome: Outcome
            do {
                outcome = .success(try await work())
            } catch let error as CaspioError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(CaspioError(.network, "\(error)"))
            }
            complete(ticket, outcome)
        }
        condition.lock()
        if finished[ticket] == nil { running[ticket] = task }
        condition.unlock()
        return ticket
    }

    private func complete(_ ticket: Int, _ outcome: Outcome) {
        condition.lock()
        running[ticket] = nil
        if abandoned.remove(ticket) == nil { finished[ticket] = outcome }
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until one of `tickets` has finished and returns it, or nil if Ctrl-C came first.
    func waitAny(_ tickets: [Int]) -> (Int, Outcome)? {
        condition.lock()
        defer { condition.unlock() }
        observeStops()
        while true {
            for ticket in tickets {
                if let outcome = finished.removeValue(forKey: ticket) { return (ticket, outcome) }
            }
            if RunStop.abortsWaits { return nil }
            condition.wait()
        }
    }

    /// Cancels requests still running (after an error in `caspio.map`, or Ctrl-C).
    func cancel(_ tickets: [Int]) {
        condition.lock()
        for ticket in tickets {
            if let task = running.removeValue(forKey: ticket) {
                task.cancel()
                abandoned.insert(ticket)
            }
            finished[ticket] = nil
        }
        condition.unlock()
    }

    /// Requests the script still owns (running, or finished and not yet waited for), and
    /// cancelled ones still winding down: both 0 once a script has left nothing behind.
    var held: (owned: Int, ending: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (running.count + finished.count, abandoned.count)
    }

    /// Runs async work to completion on behalf of Lua (auth, refresh); nil if interrupted.
    func run(_ work: @escaping @Sendable () async throws(CaspioError) -> Value) -> Outcome? {
        let ticket = start(work)
        guard let (_, outcome) = waitAny([ticket]) else {
            cancel([ticket])
            return nil
        }
        return outcome
    }

    /// Sleeps `seconds` on the broker's clock, waking early for any stop (a sleep is not a
    /// request that SIGTERM should let finish).
    func sleep(_ seconds: Double) {
        let ticket = newTicket()
        condition.lock()
        sleeping.insert(ticket)
        condition.unlock()
        // Capped at a century: math.huge is a valid sleep, and Duration cannot hold it.
        let duration = Duration.seconds(min(seconds, 100 * 365 * 86400))
        let clock = clock
        let task = Task(executorPreference: RequestExecutor.shared) { [self] in
            try? await clock.sleep(for: duration)
            wake(ticket)
        }
        condition.lock()
        observeStops()
        while sleeping.contains(ticket), !RunStop.isRequested { condition.wait() }
        sleeping.remove(ticket)
        condition.unlock()
        task.cancel()
    }

    private func wake(_ sleeper: Int) {
        condition.lock()
        if sleeping.remove(sleeper) != nil { condition.broadcast() }
        condition.unlock()
    }
}
