import Dispatch

/// Where requests and the client's own tasks (token grants) run: a serial queue of their own,
/// not Swift's shared pool. Lua waits on its own thread while they run, so they must never
/// wait for a pool thread that the host is blocking (a test runner's other tests, a host's
/// synchronous calls).
/// Serial is enough: a request's code only starts work and awaits; the bytes move on the HTTP
/// client's event loops.
public final class RequestExecutor: TaskExecutor, @unchecked Sendable {
    public static let shared = RequestExecutor()

    // A serial queue targets libdispatch's overcommitting root queue: it gets a thread even
    // when every other one is blocked.
    private let queue = DispatchQueue(label: "caspio.requests")

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
