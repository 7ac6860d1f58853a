import CLuaShim
import Glibc
import Synchronization

/// Why a run is being stopped.
public enum StopReason: Int32, Sendable {
    case none = 0
    /// Ctrl-C (SIGINT): exit 130.
    case interrupt = 1
    /// --timeout: exit 124.
    case timeout = 2
    /// SIGTERM: exit 143, after clean-up handlers ran.
    case terminate = 3

    /// What Lua raises for it, as lua.c raises "interrupted!".
    public var message: String {
        switch self {
        case .timeout: "timeout!"
        case .terminate: "terminated!"
        case .none, .interrupt: "interrupted!"
        }
    }
}

/// The one place that knows whether the run is being stopped. Signal handlers and the
/// --timeout watchdog request stops; the runner, the REPL, request waits and sleeps read them.
/// The state itself is in C, because a signal handler must be able to reach it.
public enum RunStop {
    /// What a signal does while no Lua state is attached.
    public enum IdleAction: Int32 {
        /// Remember it: the next `attach` stops Lua at once, and `wait` returns.
        case record = 0
        /// End the process with 128 + the signal's number.
        case exit = 1
    }

    /// Installs the SIGINT and SIGTERM handlers for the whole process (unblocking both).
    /// Call before printing anything or starting any work, so no signal is ever lost.
    public static func armSignals(whenIdle action: IdleAction) { caspio_stop_arm_signals(action.rawValue) }

    /// Default dispositions again: from now on a signal kills the process.
    public static func disarmSignals() { caspio_stop_disarm_signals() }

    /// The state a stop interrupts at its next instruction (at once if one is pending).
    public static func attach(_ lua: Lua) { caspio_stop_attach(lua.L) }

    /// No state to interrupt any more; call before the state closes.
    public static func detach() { caspio_stop_detach() }

    /// Requests a stop; safe from any thread. The first reason is kept.
    public static func request(_ reason: StopReason) { caspio_stop(reason.rawValue) }

    public static var reason: StopReason { StopReason(rawValue: caspio_stop_reason()) ?? .none }

    public static var isRequested: Bool { reason != .none }

    /// Whether waits for a request should give up now (any stop, until clean-up begins): the
    /// request in flight is cancelled and no retry of it starts.
    public static var abortsWaits: Bool { caspio_stop_aborts_waits() != 0 }

    /// Blocks until a stop is requested or `seconds` pass; true if a stop was requested.
    @discardableResult
    public static func wait(seconds: Double) -> Bool { caspio_stop_wait(seconds) != 0 }

    /// Lets clean-up code (atexit handlers) run after a stop: the pending hook is removed and
    /// waits wait again; the reason is kept for the exit status.
    public static func beginCleanup(_ lua: Lua) { caspio_stop_begin_cleanup(lua.L) }

    /// Forgets the stop and re-installs the handlers (the REPL, before each evaluation).
    public static func reset() { caspio_stop_reset() }

    /// Calls `wake` after every stop request, from a thread of its own, for as long as the
    /// returned observation lives. For waits on a condition: a signal handler may take no lock,
    /// so it cannot broadcast one itself; it posts a semaphore that this thread waits on.
    public static func observe(_ wake: @escaping @Sendable () -> Void) -> StopObservation {
        StopObservation(id: StopWatcher.shared.add(wake))
    }
}

/// Ends its `RunStop.observe` registration when it goes away.
public final class StopObservation: Sendable {
    fileprivate let id: Int
    fileprivate init(id: Int) { self.id = id }
    deinit { StopWatcher.shared.remove(id) }
}

/// The one thread that turns stop requests (signal handlers included) into calls.
private final class StopWatcher: Sendable {
    static let shared = StopWatcher()

    private let wakes = Mutex<(next: Int, all: [Int: @Sendable () -> Void])>((0, [:]))

    private init() {
        // Before the thread starts: from here on every request posts, none falls in between.
        caspio_stop_watch_begin()
        // A plain detached pthread: Foundation's Thread would link full Foundation for this alone.
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { context in
            let watcher = Unmanaged<StopWatcher>.fromOpaque(context!).takeRetainedValue()
            watcher.run()
        }, context)
        precondition(started == 0, "caspio: could not start the stop watcher thread (error \(started))")
        pthread_detach(thread)
    }

    private func run() -> Never {
        while true {
            caspio_stop_watch_next()
            for wake in wakes.withLock({ Array($0.all.values) }) { wake() }
        }
    }

    func add(_ wake: @escaping @Sendable () -> Void) -> Int {
        wakes.withLock { w in
            w.next += 1
            w.all[w.next] = wake
            return w.next
        }
    }

    func remove(_ id: Int) { _ = wakes.withLock { $0.all.removeValue(forKey: id) } }
}
