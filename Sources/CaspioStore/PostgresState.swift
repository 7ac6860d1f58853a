import CaspioClient
import Foundation
import NIOConcurrencyHelpers
import NIOPosix
import PostgresNIO

/// caspio.state in `caspio.state`, one row per script name. A write is a single statement,
/// hence its own transaction: a kill -9 leaves the old value or the new one.
struct PostgresState: ScriptStateStore {
    let store: PostgresStore
    let name: String

    var location: String { "\(store.url.display) (caspio.state '\(name)')" }

    func read() throws(CaspioError) -> [UInt8]? {
        let (store, name) = (store, name)
        return try blocking { () async throws(CaspioError) -> [UInt8]? in
            try await store.withConnection { connection -> [UInt8]? in
                let rows = try await connection.query("SELECT value FROM caspio.state WHERE script = \(name)", logger: store.quiet)
                for try await value in rows.decode(String.self) { return Array(value.utf8) }
                return nil
            }
        }
    }

    func write(_ bytes: [UInt8]) throws(CaspioError) {
        let (store, name, text) = (store, name, String(decoding: bytes, as: UTF8.self))
        try blocking { () async throws(CaspioError) in
            try await store.withConnection { connection -> Void in
                _ = try await connection.query(
                    """
                    INSERT INTO caspio.state (script, value, updated_at) VALUES (\(name), \(text), now())
                    ON CONFLICT (script) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
                    """, logger: store.quiet)
            }
        }
    }
}

extension PostgresStore {
    /// `--lock` across hosts: a session advisory lock, polled until `wait` seconds have passed.
    /// The server drops it when the session ends, however the process ends.
    public func acquireRunLock(name: String, wait: Double) async throws(CaspioError) -> Bool {
        let key = AdvisoryKey.make("run", name)
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, wait) * 1000))
        while true {
            let taken = try await withConnection { connection -> Bool in
                let rows = try await connection.query("SELECT pg_try_advisory_lock(\(key))", logger: quiet)
                for try await taken in rows.decode(Bool.self) { return taken }
                return false
            }
            if taken {
                holdsRunLock.withLockedValue { $0 = true }
                return true
            }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// caspio.state for the script `name`.
    public func state(named name: String) -> any ScriptStateStore { PostgresState(store: self, name: name) }

    /// The account's ledger (for `caspio usage`).
    public func ledger(baseURL: URL) -> any UsageStore { PostgresLedger(store: self, baseURL: baseURL) }

    /// Tokens and ledger for a client of `c`. With a budget, the ledger's counts are read now,
    /// for the start-of-run warning (blocking: call it off the event loops).
    public func sharedStores(for c: ClientConfiguration) throws(CaspioError) -> SharedStores {
        let ledger = PostgresLedger(store: self, baseURL: c.baseURL)
        if c.maxRequestsPerDay != nil || c.maxRequestsPerPeriod != nil {
            let now = Date()
            let since = min(UsageCalendar.day(now), UsageCalendar(billingDay: c.billingDay).period(containing: now).start)
            try blocking { () async throws(CaspioError) in try await ledger.load(since: since) }
        }
        let tokens = PostgresTokens(store: self, tokenURL: c.tokenURL.absoluteString, clientID: c.clientID, secret: c.clientSecret)
        return SharedStores(tokens: tokens, usage: ledger)
    }
}

/// Waits for async store work from synchronous code (the Lua thread, a command's start).
/// Never from an event loop thread, which the work itself needs.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws(CaspioError) -> T) throws(CaspioError) -> T {
    precondition(MultiThreadedEventLoopGroup.currentEventLoop == nil, "blocking on an event loop thread")
    let done = DispatchSemaphore(value: 0)
    let result = NIOLockedValueBox<Result<T, CaspioError>?>(nil)
    Task.detached {
        let outcome: Result<T, CaspioError>
        do throws(CaspioError) { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLockedValue { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLockedValue { $0! }.get()
}
