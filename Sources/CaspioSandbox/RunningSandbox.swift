#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird
import Logging
import ServiceLifecycle

/// A sandbox serving in this process: `caspio sandbox` waits on it, `caspio run --sandbox`
/// (and later `caspio repl --sandbox`) starts one on a free port and points the script at it.
public final class RunningSandbox: Sendable {
    public let sandbox: Sandbox
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, Error>

    private init(sandbox: Sandbox, port: Int, group: ServiceGroup, task: Task<Void, Error>) {
        self.sandbox = sandbox
        self.port = port
        self.group = group
        self.task = task
    }

    public struct StartFailure: Error, CustomStringConvertible { public var description: String }

    /// Starts serving and returns once the port is bound. `middleware` wraps every request,
    /// outermost first: what tests in this process add (scripted answers, latency, a log).
    /// `executor`, if given, runs the handlers off Swift's shared pool (which a test blocked on
    /// a child process may be holding while that child waits for this server). `clock`: see
    /// `Sandbox.init`.
    public static func start(
        _ settings: SandboxSettings, middleware: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = [],
        executor: (any TaskExecutor)? = nil, clock: SandboxClock = .real
    ) async throws -> RunningSandbox {
        let sandbox = try Sandbox(settings: settings, clock: clock)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = SandboxServer.application(sandbox, middleware: middleware) { port in
            continuation.yield(port)
            continuation.finish()
        }
        // A service group of its own, so that stop() can shut the server down gracefully
        // (finish the answers in flight, close the listener) rather than cancel it.
        let group = ServiceGroup(configuration: .init(services: [app], logger: Logger(label: "caspio-sandbox")))
        let task = Task(executorPreference: executor) {
            defer { continuation.finish() }  // a failed start ends the wait below
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            do { try await task.value } catch { throw StartFailure(description: "the sandbox could not start: \(error)") }
            throw StartFailure(description: "the sandbox stopped before serving")
        }
        return RunningSandbox(sandbox: sandbox, port: port, group: group, task: task)
    }

    public var origin: String { "http://127.0.0.1:\(port)" }
    public var baseURL: String { origin + "/integrations/rest/v3" }
    public var tokenURL: String { origin + "/oauth/token" }

    /// What a script needs to reach this sandbox, in the order `caspio sandbox` prints it.
    public var environment: [(String, String)] {
        [
            ("CASPIO_BASE_URL", baseURL), ("CASPIO_TOKEN_URL", tokenURL),
            ("CASPIO_CLIENT_ID", sandbox.settings.clientID), ("CASPIO_CLIENT_SECRET", sandbox.settings.clientSecret),
        ]
    }

    /// Stops accepting requests and waits until the server has closed.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    /// Serves until the task is cancelled or the server fails.
    public func wait() async throws { try await task.value }
}
