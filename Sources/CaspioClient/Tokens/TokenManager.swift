import Foundation
import Logging

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
    private var renewal: Task<TokenSet, Error>?

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
            try await slot?.write(token)
            return token
        }
    }

    /// `caspio.refresh()`: a refresh_token grant now, falling back to client credentials.
    public func refresh() async throws(CaspioError) -> TokenSet {
        let fallback = current
        return try await exclusive { slot async throws -> TokenSet in
            let base = try await slot?.read() ?? fallback
            let token = try await self.renew(from: base)
            try await slot?.write(token)
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
        if let renewal { return try await Self.value(of: renewal) }
        let task = Task(executorPreference: RequestExecutor.shared) { () async throws -> TokenSet in try await self.obtain(rejected: rejected) }
        renewal = task
        defer { renewal = nil }
        let token = try await Self.value(of: task)
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
        if let renewal { _ = try? await renewal.value }
        let task = Task(executorPreference: RequestExecutor.shared) { () async throws -> TokenSet in
            guard let cache = self.cache else { return try await body(nil) }
            return try await cache.withLock { slot in try await body(slot) }
        }
        renewal = task
        defer { renewal = nil }
        let token = try await Self.value(of: task)
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
                try await slot.write(token)
                return token
            }
        } catch {
            throw error as? CaspioError ?? CaspioError(.auth, "\(error)")
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

    private static func value(of task: Task<TokenSet, Error>) async throws(CaspioError) -> TokenSet {
        do {
            return try await task.value
        } catch {
            throw error as? CaspioError ?? CaspioError(.auth, "\(error)")
        }
    }
}
