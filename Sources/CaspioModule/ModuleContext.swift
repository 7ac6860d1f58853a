import CaspioClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import Logging

/// What the `caspio` module needs from its host: how to make the client (lazily, so that
/// scripts that never call the API need no configuration) and where to log.
public final class ModuleContext: @unchecked Sendable {
    let makeClient: () throws(CaspioError) -> CaspioClient
    public let logger: Logger
    /// Scripts' requests, and sleeps.
    let broker: RequestBroker<CaspioResponse>
    /// caspio.auth, caspio.refresh and caspio.token.
    let tokenBroker = RequestBroker<TokenSet>()
    private var client: CaspioClient?
    private var failure: CaspioError?
    /// Seconds since the run started on the module's clock, for the `duration` of
    /// caspio.stats() and --summary.
    private let stopwatch: @Sendable () -> Double
    /// Where caspio.state lives (nil: no script file to derive it from and no --state given).
    public let state: (any ScriptStateStore)?
    /// --dry-run or CASPIO_DRY_RUN=1: writes are logged and answered with stand-ins, never sent.
    public var dryRun = false
    /// Opens a mirror's `postgres://` target; set by the commands, which link PostgreSQL.
    public var openPostgres: ((String) throws(CaspioError) -> any TargetDatabase)?

    /// `statePath`: caspio.state in that file; `state`, given instead: in a shared store.
    /// `clock`: what caspio.sleep waits on (a test's, to sleep in virtual time).
    public init(
        logger: Logger, statePath: String? = nil, state: (any ScriptStateStore)? = nil,
        clock: any Clock<Duration> = ContinuousClock(), makeClient: @escaping () throws(CaspioError) -> CaspioClient
    ) {
        self.logger = logger
        broker = RequestBroker(clock: clock)
        stopwatch = Self.stopwatch(clock)
        self.state = state ?? statePath.map(FileState.init)
        self.makeClient = makeClient
    }

    /// Requests the script started and still owns, and cancelled ones not yet wound down
    /// (for tests: a loop that breaks must leave neither).
    public var requestsHeld: (owned: Int, ending: Int) { broker.held }

    /// Seconds since the run started.
    public var elapsed: Double { stopwatch() }

    private static func stopwatch<C: Clock<Duration>>(_ clock: C) -> @Sendable () -> Double {
        let start = clock.now
        return {
            let elapsed = start.duration(to: clock.now).components
            return Double(elapsed.seconds) + Double(elapsed.attoseconds) * 1e-18
        }
    }

    /// The client, made on first use; a configuration error is remembered and raised again.
    func sharedClient() throws(CaspioError) -> CaspioClient {
        if let client { return client }
        if let failure { throw failure }
        do {
            let made = try makeClient()
            client = made
            return made
        } catch {
            failure = error
            throw error
        }
    }

    /// Makes the client now (settings resolved, nothing sent), to find a bad setup before use.
    public func prepare() throws(CaspioError) { _ = try sharedClient() }

    /// The REPL has moved to another account: whatever still reaches this context (a handle
    /// kept in a variable) gets this error instead of a closed connection.
    public func retire(because message: String) {
        shutdown()
        client = nil
        failure = CaspioError(.config, message)
    }

    /// The client if one was made (for stats and shutdown).
    public var existingClient: CaspioClient? { client }

    /// Closes connections; call once when the script is done.
    /// Not interruptible: it must finish even after Ctrl-C, or the HTTP client's connections
    /// would be torn down mid-flight.
    public func shutdown() {
        guard let client else { return }
        let done = DispatchSemaphore(value: 0)
        Task.detached(executorPreference: RequestExecutor.shared) {
            await client.shutdown()
            done.signal()
        }
        done.wait()
    }
}
