import CaspioClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOConcurrencyHelpers
import PostgresNIO

/// The usage ledger in `caspio.usage`, one row per (account, day, profile, script), counted
/// by every host. With a budget, the check and the increment share a transaction under the
/// account's advisory lock, so that two hosts cannot both take the last request.
///
/// When the store cannot be reached the run goes on: requests are counted here (the budgets
/// checked against the last counts seen plus this run's), added with the next request that
/// reaches the store, and reported at the end of the run if they never did.
final class PostgresLedger: UsageStore {
    let store: PostgresStore
    let account: String

    private struct Local {
        var pending: [UsageLedger.Key: Int] = [:]
        /// The account's count per day as last seen, this run's pending requests included.
        var days: [String: Int] = [:]
        var warned = false
    }

    private let local = NIOLockedValueBox(Local())

    /// Per account, as the file ledger: the scheme, host and port of the base URL.
    init(store: PostgresStore, baseURL: URL) {
        self.store = store
        account = "\(baseURL.scheme ?? "https")://\(baseURL.host ?? "")\(baseURL.port.map { ":\($0)" } ?? "")"
    }

    var location: String { "\(store.url.display) (caspio.usage)" }

    /// The account's counts per day from `since`, for the start-of-run warning.
    func load(since: String) async throws(CaspioError) {
        let days = try await store.withConnection { connection in try await self.days(connection, since: since) }
        local.withLockedValue { $0.days = days }
    }

    func days() throws(CaspioError) -> [String: Int] { local.withLockedValue { $0.days } }

    func record(_ key: UsageLedger.Key, since: String?, check: ([String: Int]) throws(CaspioError) -> Void) async throws(CaspioError) {
        do throws(CaspioError) {
            try await add(key, since: since, check: check)
        } catch where error.kind == .budget {
            throw error
        } catch {
            try check(local.withLockedValue { $0.days })
            let first = local.withLockedValue { local -> Bool in
                local.pending[key, default: 0] += 1
                local.days[key.day, default: 0] += 1
                defer { local.warned = true }
                return !local.warned
            }
            if first {
                store.logger.warning(
                    "\(error.message); the run goes on, counting its requests here until the store is back (budgets use the last counts seen)")
            }
        }
    }

    /// This request and any pending ones, in one go.
    private func add(_ key: UsageLedger.Key?, since: String?, check: ([String: Int]) throws(CaspioError) -> Void) async throws(CaspioError) {
        let (flushed, adds, days) = try await store.withConnection { connection -> ([UsageLedger.Key: Int], [UsageLedger.Key: Int], [String: Int]?) in
            let flushed = self.local.withLockedValue { $0.pending }
            var adds = flushed
            if let key { adds[key, default: 0] += 1 }
            guard since != nil || adds.count > 1 else {
                try await self.upsert(adds, connection)  // one statement: its own transaction
                return (flushed, adds, nil)
            }
            try await connection.query("BEGIN", logger: self.store.quiet)
            do {
                var days: [String: Int]?
                if let since {
                    try await connection.query("SELECT pg_advisory_xact_lock(\(AdvisoryKey.make("usage", self.account)))", logger: self.store.quiet)
                    let counted = try await self.days(connection, since: since)
                    try check(counted)
                    days = counted
                }
                try await self.upsert(adds, connection)
                try await connection.query("COMMIT", logger: self.store.quiet)
                return (flushed, adds, days)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: self.store.quiet)
                throw error
            }
        }
        local.withLockedValue { local in
            // Pending requests counted meanwhile (another task, the store out of reach) stay.
            for (added, count) in flushed {
                local.pending[added, default: 0] -= count
                if local.pending[added] ?? 0 <= 0 { local.pending[added] = nil }
            }
            if let days {
                local.days = days
                for (added, count) in adds { local.days[added.day, default: 0] += count }
                for (pending, count) in local.pending { local.days[pending.day, default: 0] += count }
            } else if let key {
                local.days[key.day, default: 0] += 1
            }
        }
    }

    private func upsert(_ adds: [UsageLedger.Key: Int], _ connection: PostgresConnection) async throws {
        for (key, count) in adds {
            try await connection.query(
                """
                INSERT INTO caspio.usage (account, day, profile, script, requests) VALUES (\(account), \(key.day), \(key.profile), \(key.script), \(Int64(count)))
                ON CONFLICT (account, day, profile, script) DO UPDATE SET requests = caspio.usage.requests + EXCLUDED.requests
                """, logger: store.quiet)
        }
    }

    private func days(_ connection: PostgresConnection, since: String) async throws -> [String: Int] {
        let rows = try await connection.query(
            "SELECT day, sum(requests)::bigint FROM caspio.usage WHERE account = \(account) AND day >= \(since) GROUP BY day",
            logger: store.quiet)
        var days: [String: Int] = [:]
        for try await (day, count) in rows.decode((String, Int64).self) { days[day] = Int(count) }
        return days
    }

    func counts() async throws(CaspioError) -> [UsageLedger.Key: Int] {
        var counts = try await store.withConnection { connection -> [UsageLedger.Key: Int] in
            let rows = try await connection.query(
                "SELECT day, profile, script, requests FROM caspio.usage WHERE account = \(self.account)", logger: self.store.quiet)
            var counts: [UsageLedger.Key: Int] = [:]
            for try await (day, profile, script, count) in rows.decode((String, String, String, Int64).self) {
                counts[.init(day: day, profile: profile, script: script)] = Int(count)
            }
            return counts
        }
        for (key, count) in local.withLockedValue({ $0.pending }) { counts[key, default: 0] += count }
        return counts
    }

    /// Adds what is still pending; if the store stays out of reach, says how much was lost.
    func finish() async -> String? {
        guard local.withLockedValue({ !$0.pending.isEmpty }) else { return nil }
        var failure: CaspioError?
        for attempt in 0..<2 {
            // The second try comes after the store's pause between reconnects.
            if attempt > 0 { try? await Task.sleep(for: .seconds(2)) }
            do throws(CaspioError) {
                try await add(nil, since: nil) { (_) throws(CaspioError) in }
                return nil
            } catch { failure = error }
        }
        let lost = local.withLockedValue { $0.pending.values.reduce(0, +) }
        return "\(lost) request\(lost == 1 ? " was" : "s were") sent but not added to the shared usage ledger in \(location): \(failure?.message ?? "the store could not be reached"); budgets on other hosts do not see \(lost == 1 ? "it" : "them")"
    }
}
