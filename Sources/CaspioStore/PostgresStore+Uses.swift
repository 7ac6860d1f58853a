import CaspioClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PostgresNIO

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
                runLock.withLockedValue { $0 = (name, key) }
                return true
            }
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// The run lock `name`, the same on every host that shares this store.
    public func runLock(named name: String) -> any RunLockStore { PostgresRunLock(store: self, name: name) }

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
            let calendar = UsageCalendar(billingDay: c.billingDay, timeZone: c.billingTimeZone)
            let since = min(calendar.day(now), calendar.period(containing: now).start)
            try blocking { () async throws(CaspioError) in try await ledger.load(since: since) }
        }
        let tokens = PostgresTokens(store: self, tokenURL: c.tokenURL.absoluteString, clientID: c.clientID, secret: c.clientSecret)
        return SharedStores(tokens: tokens, usage: ledger)
    }
}

/// A run lock in the store: a session-level advisory lock, dropped when the process ends.
struct PostgresRunLock: RunLockStore {
    let store: PostgresStore
    let name: String

    var described: String { "the lock '\(name)' in the store \(store.url.display)" }

    func acquire(wait: Double) async throws -> Bool {
        try await store.acquireRunLock(name: name, wait: wait)
    }
}
