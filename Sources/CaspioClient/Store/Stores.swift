#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

// What runs share: tokens, the usage ledger, script state and the run lock.
// The file implementations are this host's (TokenCache, UsageLedger, StateFile); the
// CaspioStore target implements them on PostgreSQL for many hosts.

/// The token cache: read → renew → write happens inside `withLock`, which excludes every
/// other process using the same store, so that concurrent runs make a single grant.
public protocol TokenStore: Sendable {
    /// Where the tokens are, for messages (a path, or a URL without password).
    var location: String { get }
    func withLock<T: Sendable>(_ body: @escaping @Sendable (any TokenSlot) async throws -> T) async throws -> T
}

/// The cached token, valid only inside `TokenStore.withLock`.
public protocol TokenSlot: Sendable {
    func read() async throws -> TokenSet?
    func write(_ token: TokenSet) async throws
    func delete() async throws -> Bool
}

/// The account's request counts across runs (and hosts), with the budgets' check.
public protocol UsageStore: Sendable {
    var location: String { get }
    /// Counts one request for `key`, unless `check` (given the account's count per day so
    /// far, from day `since` on) throws. `since` nil: no budget needs the counts.
    func record(_ key: UsageLedger.Key, since: String?, check: ([String: Int]) throws(CaspioError) -> Void) async throws(CaspioError)
    /// Everything counted (for `caspio usage`).
    func counts() async throws(CaspioError) -> [UsageLedger.Key: Int]
    /// The account's count per day as last seen (for the start-of-run warning).
    func days() throws(CaspioError) -> [String: Int]
    /// At the end of a run: what could not be counted, for a warning; nil when all was.
    func finish() async -> String?
}

/// One script's `caspio.state`: its whole JSON text, replaced atomically. Called from the
/// Lua thread, so synchronous.
public protocol ScriptStateStore: Sendable {
    var location: String { get }
    func read() throws(CaspioError) -> [UInt8]?
    func write(_ bytes: [UInt8]) throws(CaspioError)
}

/// The lock that keeps scheduled runs from overlapping, held until the process ends (a file
/// lock on this host, an advisory lock in a shared store).
public protocol RunLockStore: Sendable {
    /// The lock, for messages: "the lock PATH", "the lock 'NAME' in the store URL".
    var described: String { get }
    /// Takes the lock, waiting up to `wait` seconds; false if another run still holds it.
    func acquire(wait: Double) async throws -> Bool
}

/// A store other than this host's files, handed to the client by the CLI.
public struct SharedStores: Sendable {
    public var tokens: any TokenStore
    public var usage: any UsageStore
    public init(tokens: any TokenStore, usage: any UsageStore) {
        self.tokens = tokens
        self.usage = usage
    }
}

extension TokenCache: TokenStore, TokenSlot {
    public var location: String { filePath }

    public func withLock<T: Sendable>(_ body: @escaping @Sendable (any TokenSlot) async throws -> T) async throws -> T {
        try await withLock { try await body(self) }
    }
    // read, write and delete are the file's own (synchronous) methods.
}

extension UsageLedger: UsageStore {
    public var location: String { path }

    public func record(_ key: Key, since: String?, check: ([String: Int]) throws(CaspioError) -> Void) async throws(CaspioError) {
        try record(key, check: check)
    }

    public func finish() async -> String? { nil }
}
