#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOConcurrencyHelpers

/// Hands out valid access tokens. Renews before expiry and after a 401; prefers the refresh
/// token and falls back to client credentials only when that is refused, because every
/// client_credentials grant mints a refresh token and an account may hold only 1,000.
/// One renewal at a time per process (single flight) and, through the cache lock, per machine.
public actor TokenManager {
    let endpoint: TokenEndpoint
    let cache: (any TokenStore)?
    let logger: Logger
    let now: @Sendable () -> Date

    private var current: TokenSet?
    private var renewal: RenewalFlight?
    private var warnedUncached = false

    init(endpoint: TokenEndpoint, cache: (any TokenStore)?, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.endpoint = endpoint
        self.cache = cache
        self.logger = logger
        self.now = now
    }

    /// A token good for the next request: the one in memory, the cache's, or a renewed one.
    public func validToken() async throws(CaspioError) -> TokenSet {
        if let current, !current.needsRenewal(at: now()) { return current }
        return try await singleFlight(rejected: nil)
    }

    /// The server answered 401 to `token`: renew it, unless someone already has.
    public func tokenRejected(_ token: TokenSet) async throws(CaspioError) -> TokenSet {
        if let current, current.accessToken != token.accessToken, !current.needsRenewal(at: now()) { return current }
        return try await singleFlight(rejected: token.accessToken)
    }

    /// `caspio.auth()`: a client_credentials grant now, bypassing the cache, then written to it.
    public func authenticate() async throws(CaspioError) -> TokenSet {
        try await exclusive { slot async throws -> TokenSet in
            let token = try await self.endpoint.clientCredentials(now: self.now())
            if let slot { await self.keep(token, in: slot) }
            return token
        }
    }

    /// `caspio.refresh()`: a refresh_token grant now, falling back to client credentials.
    public func refresh() async throws(CaspioError) -> TokenSet {
        let fallback = current
        return try await exclusive { slot async throws -> TokenSet in
            let base = try await slot?.read() ?? fallback
            let token = try await self.renew(from: base)
            if let slot { await self.keep(token, in: slot) }
            return token
        }
    }

    /// Forgets the token in memory and in the cache. True if a cached token was removed.
    public func logout() async throws(CaspioError) -> Bool {
        current = nil
        guard let cache else { return false }
        do {
            return try await cache.withLock { slot in try await slot.delete() }
        } catch {
            throw error as? CaspioError ?? CaspioError(.config, "\(error)")
        }
    }

    // MARK: -

    private func singleFlight(rejected: Secret?) async throws(CaspioError) -> TokenSet {
        if let renewal, !renewal.isCancelled { return try await renewal.value() }
        let flight = RenewalFlight(Task(executorPreference: RequestExecutor.shared) { () async throws -> TokenSet in try await self.obtain(rejected: rejected) })
        renewal = flight
        defer { if renewal === flight { renewal = nil } }
        let token = try await flight.value()
        adopt(token)
        return token
    }

    private func adopt(_ token: TokenSet) {
        SecretRedactor.shared.register(token.accessToken)
        if let refresh = token.refreshToken { SecretRedactor.shared.register(refresh) }
        current = token
    }

    /// Runs a forced grant, after any renewal in flight, as the new current token.
    private func exclusive(_ body: @escaping @Sendable ((any TokenSlot)?) async throws -> TokenSet) async throws(CaspioError) -> TokenSet
    {
        if let renewal, !renewal.isCancelled { _ = try? await renewal.value() }
        try Self.checkCancellation()
        let flight = RenewalFlight(Task(executorPreference: RequestExecutor.shared) { () async throws -> TokenSet in
            guard let cache = self.cache else { return try await body(nil) }
            return try await cache.withLock { slot in try await body(slot) }
        })
        renewal = flight
        defer { if renewal === flight { renewal = nil } }
        let token = try await flight.value()
        adopt(token)
        return token
    }

    /// Under the cache lock: use a token that another process renewed meanwhile, or renew.
    private func obtain(rejected: Secret?) async throws(CaspioError) -> TokenSet {
        guard let cache else { return try await renew(from: current) }
        let fallback = current
        do {
            return try await cache.withLock { slot async throws -> TokenSet in
                let cached = try await slot.read()
                if let cached, cached.accessToken != rejected, !cached.needsRenewal(at: self.now()) {
                    self.logger.debug("using the cached token", metadata: ["cache": "\(cache.location)"])
                    return cached
                }
                let token = try await self.renew(from: cached ?? fallback)
                await self.keep(token, in: slot)
                return token
            }
        } catch {
            throw error as? CaspioError ?? CaspioError(.auth, "\(error)")
        }
    }

    /// Writes a renewed token to the cache. A cache that cannot be written (a read-only
    /// directory) does not cost the token: it is used uncached, with one warning per process.
    private func keep(_ token: TokenSet, in slot: any TokenSlot) async {
        do { try await slot.write(token) } catch {
            guard !warnedUncached else { return }
            warnedUncached = true
            let reason = (error as? CaspioError)?.message ?? "\(error)"
            logger.warning("the renewed token is used but not cached, so later runs ask for their own: \(reason)")
        }
    }

    /// Renewal order: the refresh token; if the server refuses it (400 or 401), client
    /// credentials; if that fails, an authentication error saying why.
    private func renew(from previous: TokenSet?) async throws(CaspioError) -> TokenSet {
        if let refreshToken = previous?.refreshToken {
            do {
                return try await endpoint.refresh(refreshToken, now: now())
            } catch where error.kind == .auth && (error.status == 400 || error.status == 401) {
                logger.info(
                    "the refresh token was refused (HTTP \(error.status ?? 0)); requesting a new token with client credentials")
            }
        }
        return try await endpoint.clientCredentials(now: now())
    }

    /// A caller that was stopped while waiting for the grant before this one starts no grant.
    private static func checkCancellation() throws(CaspioError) {
        if Task.isCancelled { throw CaspioError(.auth, "cancelled before requesting a token") }
    }
}

/// A renewal in flight and the callers waiting for it. It is cancelled when every one of them
/// is (a stopped run, a REPL line ended with Ctrl-C): no grant outlives those who asked for
/// it, and the next caller starts a fresh one rather than join a hung one.
final class RenewalFlight: Sendable {
    private let task: Task<TokenSet, Error>
    private let waiters = NIOLockedValueBox(Waiters())

    private struct Waiters {
        var next = 0
        var waiting: Set<Int> = []
        var cancelled: Set<Int> = []
    }

    init(_ task: Task<TokenSet, Error>) { self.task = task }

    var isCancelled: Bool { task.isCancelled }

    func value() async throws(CaspioError) -> TokenSet {
        let id = waiters.withLockedValue { waiters in
            waiters.next += 1
            waiters.waiting.insert(waiters.next)
            return waiters.next
        }
        defer { waiters.withLockedValue { _ = ($0.waiting.remove(id), $0.cancelled.remove(id)) } }
        do {
            return try await withTaskCancellationHandler {
                try await task.value
            } onCancel: {
                let everyone = waiters.withLockedValue { waiters in
                    guard waiters.waiting.contains(id) else { return false }
                    waiters.cancelled.insert(id)
                    return waiters.cancelled == waiters.waiting
                }
                if everyone { task.cancel() }
            }
        } catch {
            throw error as? CaspioError ?? CaspioError(.auth, "\(error)")
        }
    }
}
