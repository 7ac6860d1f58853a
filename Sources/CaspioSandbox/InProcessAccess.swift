#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What a test in the same process may do to a sandbox directly, beside speaking HTTP to it:
/// load a seed document, read a table back, see and revoke tokens. Scripts never reach these.
extension Sandbox {
    /// Loads a seed document (the `--seed` format, as JSON text) into the store.
    public func seed(json text: String) throws {
        guard let document = JSON.parse(Array(text.utf8)) else { throw Seed.Failure(description: "the seed is not JSON") }
        try Seed.apply(document, to: store, origin: "seed")
    }

    /// Appends rows (a JSON array of objects) to an existing table, as a seed would: fields
    /// the API may not set (generated ones) may be given.
    public func insert(rowsJSON text: String, into table: String) throws {
        guard case .array(let rows)? = JSON.parse(Array(text.utf8)) else { throw Seed.Failure(description: "the rows are not a JSON array") }
        try store.locked {
            try store.transaction {
                let source = try store.tableSource(table)
                try store.insertRecords(source, bodies: rows, trusted: true)
            }
        }
    }

    /// Whether the store has a table of this name.
    public func hasTable(_ name: String) throws -> Bool { try store.locked { try store.exists(name) } }

    /// Every row of `table` in key order, as JSON text (`[{"PK_ID":1,…},…]`).
    public func rowsJSON(of table: String) throws -> String {
        try store.locked {
            let source = try store.tableSource(table)
            var query = Store.RecordQuery()
            query.limit = .max
            return JSON.array(try store.readRecords(source, query).rows).encoded
        }
    }

    /// Tokens granted so far, by grant type.
    public var grants: [String: Int] { counters.withLockedValue { $0.tokens.grants } }

    /// Revokes every access token now (refresh tokens stay), as Caspio may at any time.
    public func revokeAccessTokens() { counters.withLockedValue { $0.tokens.revokeAccessTokens() } }

    /// Revokes every refresh token now: the next renewal must use the client's secret.
    public func revokeRefreshTokens() { counters.withLockedValue { $0.tokens.refreshTokens.removeAll() } }

    /// 429s the rate limiter has answered, and times it locked the account.
    public var rateLimited: Int { limiter.refusals }
    public var lockouts: Int { limiter.lockouts }

    /// The access and refresh tokens issued lately (as many as Tokens remembers), revoked ones
    /// included: for tests that no token leaks.
    public var issuedTokens: [String] { counters.withLockedValue { $0.tokens.issued } }
}
