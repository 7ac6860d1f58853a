import CaspioClient
import CaspioModule
import CaspioTestSupport
import Dispatch
import Foundation
import LuaBridge
import Logging
import Testing

/// The `caspio` module in the test process: a fresh Lua state with the module installed and
/// its client (made on the first request, as in a run) pointed at `fake`. For pure logic:
/// where clauses, argument checks, pagers. What is about processes spawns the binary (runLua).
final class InProcessLua: @unchecked Sendable {
    /// How a chunk ended: its results, its error (message and error object), or not in time.
    enum Outcome {
        case values([LuaValue])
        case failure(String, LuaValue)
        case timedOut
    }

    private let state = LuaState()
    private let context: ModuleContext
    /// What the module logged (caspio.log, warnings), as "level: message" lines.
    let logs = LogLines()

    /// Without `fake`, any request fails with a config error: the chunk must need no server.
    /// `clock`: what sleeps and pacing wait on (a `TestClock` for virtual time).
    /// `now`: the dates token lifetimes are measured by (the emulator's, for renewal in virtual time).
    init(
        _ fake: (any CaspioEndpoint)? = nil, maxRequests: Int? = nil, clock: any Clock<Duration> = ContinuousClock(),
        now: (@Sendable () -> Date)? = nil
    ) throws {
        let logs = logs
        let logger = Logger(label: "caspio-test") { _ in LogLines.Handler(lines: logs) }
        context = ModuleContext(logger: logger, clock: clock) { () throws(CaspioError) -> CaspioClient in
            guard let fake else { throw CaspioError(.config, "this test has no server") }
            let configuration = ClientConfiguration(
                baseURL: URL(string: fake.baseURL)!, tokenURL: URL(string: fake.tokenURL)!, clientID: fake.clientID,
                clientSecret: Secret(fake.clientSecret), connectTimeout: 2, readTimeout: 10,
                retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05), maxRequests: maxRequests)
            return try CaspioClient(configuration: configuration, logger: logger, now: now, clock: clock)
        }
        try CaspioModule.install(into: state, context: context)
        // held_requests(): the requests the script still owns, for checks inside a loop.
        let context = context
        state.lua.push(function: { lua in
            lua.push(Int64(context.requestsHeld.owned))
            return .one
        })
        state.lua.setGlobalFromTop("held_requests")
    }

    /// Requests the script still owns, and cancelled ones still winding down.
    var requestsHeld: (owned: Int, ending: Int) { context.requestsHeld }

    /// Waits (at most `timeout` seconds) for cancelled requests to wind down; true if they did.
    func settled(timeout: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while context.requestsHeld.ending > 0 {
            if Date() > deadline { return false }
            try? await Task.sleep(nanoseconds: 10_000_000)
        }
        return true
    }

    // The HTTP client must be shut down before it goes away; on a thread of its own, because
    // the shutdown waits for a task that needs a thread of Swift's pool, where this may run.
    deinit {
        let context = context
        Thread { context.shutdown() }.start()
    }

    /// Runs `source` as the file "script.lua" (positions read "script.lua:N:" as in a run), on
    /// a thread of its own: the test waits at most `timeout` seconds, without holding a thread
    /// of Swift's pool, which the module's requests run on. A chunk still running after that
    /// keeps this object (and its state) alive: it is left, never closed under it.
    func run(_ source: String, timeout: Double = 60) async -> Outcome {
        await withCheckedContinuation { continuation in
            let once = ResumeOnce(continuation)
            let thread = Thread { [self] in once.resume(execute(source)) }
            thread.stackSize = 8 << 20
            thread.start()
            DispatchQueue.global().asyncAfter(deadline: .now() + timeout) { once.resume(.timedOut) }
        }
    }

    /// The chunk's results; an error or a timeout fails the test.
    func values(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) async -> [LuaValue] {
        switch await run(source) {
        case .values(let values): return values
        case .failure(let message, _):
            Issue.record("the chunk failed: \(message)", sourceLocation: sourceLocation)
        case .timedOut:
            Issue.record("the chunk did not finish in time", sourceLocation: sourceLocation)
        }
        return []
    }

    /// The chunk's error message (`tostring` of an error table); success or a timeout fails
    /// the test and gives nil.
    func failure(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) async -> String? {
        await error(source, sourceLocation: sourceLocation)?.message
    }

    /// The chunk's error: its message and the error object itself.
    func error(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) async -> (message: String, value: LuaValue)? {
        switch await run(source) {
        case .failure(let message, let value): return (message, value)
        case .values(let values):
            Issue.record("the chunk should have failed, it returned \(values)", sourceLocation: sourceLocation)
        case .timedOut:
            Issue.record("the chunk did not finish in time", sourceLocation: sourceLocation)
        }
        return nil
    }

    private func execute(_ source: String) -> Outcome {
        let lua = state.lua
        let base = lua.top
        do {
            try lua.load(Array(source.utf8), name: "@script.lua")
            try lua.call(arguments: 0)
        } catch {
            return .failure(error.message, error.value)
        }
        let values = lua.top > base ? (base + 1...lua.top).map { lua.value(at: $0) } : []
        lua.top = base
        return .values(values)
    }
}

/// Log lines kept for a test to read.
final class LogLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }

    struct Handler: LogHandler {
        let lines: LogLines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lines.append("\(event.level): \(event.message)") }
    }
}

// Handed from the chunk's thread to the waiting test once the chunk is done with the state.
extension InProcessLua.Outcome: @unchecked Sendable {}

/// Resumes a continuation once: with the chunk's outcome or with the timeout, whichever is first.
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<InProcessLua.Outcome, Never>?

    init(_ continuation: CheckedContinuation<InProcessLua.Outcome, Never>) { self.continuation = continuation }

    func resume(_ outcome: InProcessLua.Outcome) {
        let waiting = lock.withLock { () -> CheckedContinuation<InProcessLua.Outcome, Never>? in
            defer { continuation = nil }
            return continuation
        }
        waiting?.resume(returning: outcome)
    }
}

extension LuaValue {
    /// A field of a table value (raw), or nil.
    subscript(field: String) -> LuaValue { tableRef?.rawField(field) ?? .nil }
}
