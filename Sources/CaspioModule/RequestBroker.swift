import LuaBridge
import CaspioClient
import Foundation

/// Runs HTTP requests on Swift's concurrency threads while Lua waits on its own thread.
/// A request is a ticket: started without blocking, then waited for, alone (a plain call) or
/// with others (the `caspio.map` scheduler). Waiting wakes up for Ctrl-C. Generic over what
/// the work produces: HTTP responses for scripts' requests, tokens for auth and refresh.
final class RequestBroker<Value: Sendable>: @unchecked Sendable {
    typealias Outcome = Result<Value, CaspioError>

    private let condition = NSCondition()
    private var finished: [Int: Outcome] = [:]
    private var running: [Int: Task<Void, Never>] = [:]
    /// Cancelled while running: their late outcomes are dropped, not kept forever.
    private var abandoned: Set<Int> = []
    private var nextTicket = 1

    /// Starts `work` and returns its ticket at once.
    func start(_ work: @escaping @Sendable () async throws(CaspioError) -> Value) -> Int {
        condition.lock()
        let ticket = nextTicket
        nextTicket += 1
        condition.unlock()
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
        while true {
            for ticket in tickets {
                if let outcome = finished.removeValue(forKey: ticket) { return (ticket, outcome) }
            }
            if RunStop.abortsWaits { return nil }
            _ = condition.wait(until: Date().addingTimeInterval(0.05))
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

    /// Runs async work to completion on behalf of Lua (auth, refresh); nil if interrupted.
    func run(_ work: @escaping @Sendable () async throws(CaspioError) -> Value) -> Outcome? {
        let ticket = start(work)
        guard let (_, outcome) = waitAny([ticket]) else {
            cancel([ticket])
            return nil
        }
        return outcome
    }

    /// Sleeps `seconds`, waking early for any stop (a sleep is not a request that SIGTERM
    /// should let finish).
    func sleep(_ seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while Date() < deadline, !RunStop.isRequested {
            _ = condition.wait(until: min(deadline, Date().addingTimeInterval(0.05)))
        }
    }
}
