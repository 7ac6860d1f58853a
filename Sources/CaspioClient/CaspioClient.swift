import Foundation
import Logging
import NIOConcurrencyHelpers

/// The native Caspio client: configuration, tokens and transport together. Scripts never see
/// tokens: every request gets a valid one, a 401 renews it and replays the request once, and
/// so does a 400 that a stale token may have caused (StaleTokenCheck).
public final class CaspioClient: Sendable {
    public let configuration: ClientConfiguration
    public let counters: Counters
    public let tokens: TokenManager
    /// The file token cache; nil when it is off or the tokens are in a shared store.
    public let tokenCache: TokenCache?
    /// Where tokens are kept between runs (the file cache or a shared store); nil: nowhere.
    public let tokenStore: (any TokenStore)?
    /// The usage ledger and budgets across runs; nil when the token cache is off.
    public let usage: UsageMeter?
    let transport: HTTPTransport
    let target: RequestTarget
    let logger: Logger
    let staleTokens = StaleTokenCheck()
    /// `--rate auto`: the one look at the account's limit, which every request waits for.
    private let accountPace = NIOLockedValueBox<Task<Result<AccountFacts, CaspioError>?, Never>?>(nil)

    /// `now` replaces the wall clock in tests of renewal timing, `clock` the one of the account
    /// gate's pauses and pace. `stores`, when given, keeps tokens and the ledger there instead
    /// of in this host's files.
    public init(
        configuration: ClientConfiguration, logger: Logger, counters: Counters = Counters(),
        now: (@Sendable () -> Date)? = nil, stores: SharedStores? = nil, clock: any Clock<Duration> = ContinuousClock()
    ) throws(CaspioError) {
        self.configuration = configuration
        self.counters = counters
        self.logger = logger
        SecretRedactor.shared.register(clientID: configuration.clientID, secret: configuration.clientSecret)
        transport = try HTTPTransport(configuration: configuration, counters: counters, logger: logger, clock: clock)
        target = RequestTarget(baseURL: configuration.baseURL)
        let cache = stores != nil ? nil : configuration.tokenCacheDirectory.map { directory in
            TokenCache(
                directory: directory, tokenURL: configuration.tokenURL.absoluteString, clientID: configuration.clientID,
                warn: { logger.warning("\($0)") })
        }
        tokenCache = cache
        let store: (any TokenStore)? = stores?.tokens ?? cache
        tokenStore = store
        if let stores {
            usage = UsageMeter(configuration: configuration, ledger: stores.usage, now: now ?? { Date() })
        } else {
            usage = configuration.usageDirectory.map { UsageMeter(configuration: configuration, directory: $0, now: now ?? { Date() }) }
        }
        for warning in try usage?.lowBudgetWarnings() ?? [] { logger.warning("\(warning)") }
        tokens = TokenManager(
            endpoint: TokenEndpoint(configuration: configuration, transport: transport, counters: counters),
            cache: store, logger: logger, now: now ?? { Date() })
    }

    /// Closes connections; says what the shared ledger could not count, if anything.
    public func shutdown() async {
        if let lost = await usage?.ledger.finish() { logger.warning("\(lost)") }
        await transport.shutdown()
    }

    /// Ctrl-C: a pause for the account to reopen ends at once; what the user does next does not
    /// wait it out.
    public func endPause() { transport.gate.endPause() }

    /// One GET without a token, outside the budget and retried as the configuration says:
    /// `caspio doctor`'s look at an endpoint (reachable? TLS trusted? what time is it there?).
    public func probe(_ url: URL) async throws(CaspioError) -> CaspioResponse {
        try await transport.send(HTTPRequest("GET", url.absoluteString))
    }

    /// Sends a request with a valid token; on 401, or a 400 that a stale token may have caused,
    /// renews and replays once. Any status comes
    /// back as a response; failures to get one (network, auth, budget) are thrown.
    public func send(_ request: CaspioRequest) async throws(CaspioError) -> CaspioResponse {
        if configuration.rateFromAccount { await paceAtAccountLimit() }
        return try await deliver(request)
    }

    /// What v4's `GET me` says of the account (its API profile and rate limit): one request,
    /// counted and budgeted as any; under `--rate auto`, the answer the pace was set by (one
    /// `GET me` a run). Throws the answer's error, or an `http` error for a v3 base URL (v3
    /// has no such request) or an unreadable body.
    public func accountFacts() async throws(CaspioError) -> AccountFacts {
        guard configuration.apiVersion == 4 else {
            throw CaspioError(.http, "REST API v\(configuration.apiVersion) publishes no account facts: GET me is REST API v4's (a base URL ending in \(ClientConfiguration.restPath(4)))")
        }
        if configuration.rateFromAccount, let learned = await paceAtAccountLimit() { return try learned.get() }
        return try await lookUpAccountFacts()
    }

    private func lookUpAccountFacts() async throws(CaspioError) -> AccountFacts {
        let response = try await deliver(CaspioRequest("GET", AccountFacts.path))
        guard (200..<300).contains(response.status) else { throw response.error }
        guard let facts = AccountFacts(body: response.body) else {
            throw CaspioError(.http, "the answer to GET \(AccountFacts.path) is no JSON object", status: response.status, method: "GET", url: AccountFacts.path)
        }
        return facts
    }

    /// `--rate auto`: once per run, before the first request goes out, sets the pace to the
    /// account's published limit: v4's `GET me`; on v3 (which publishes none), or when `me`
    /// fails or names none, Caspio's published limit, with a warning saying why. What `GET me`
    /// answered (nil on v3).
    @discardableResult
    private func paceAtAccountLimit() async -> Result<AccountFacts, CaspioError>? {
        let task = accountPace.withLockedValue { current -> Task<Result<AccountFacts, CaspioError>?, Never> in
            if let current { return current }
            let task = Task(executorPreference: RequestExecutor.shared) { await self.learnAccountLimit() }
            current = task
            return task
        }
        return await task.value
    }

    private func learnAccountLimit() async -> Result<AccountFacts, CaspioError>? {
        var limit = AccountFacts.publishedLimit
        var source = "Caspio's published limit; REST API v\(configuration.apiVersion) publishes no account's own"
        var answer: Result<AccountFacts, CaspioError>?
        if configuration.apiVersion == 4 {
            do throws(CaspioError) {
                let facts = try await lookUpAccountFacts()
                answer = .success(facts)
                if let own = facts.rateLimit {
                    (limit, source) = (own, "the account's, from GET \(AccountFacts.path)")
                } else {
                    logger.warning("--rate auto: GET \(AccountFacts.path) names no rate limit; pacing at Caspio's published limit, \(limit.text)")
                    source = "Caspio's published limit"
                }
            } catch {
                answer = .failure(error)
                logger.warning("--rate auto: GET \(AccountFacts.path) failed (\(error.message)); pacing at Caspio's published limit, \(limit.text)")
                source = "Caspio's published limit"
            }
        }
        transport.gate.setRate(limit.perSecond)
        logger.info("--rate auto: \(limit.text), \(source)")
        return answer
    }

    /// `send` without `--rate auto`'s wait (the look at the limit goes through here).
    private func deliver(_ request: CaspioRequest) async throws(CaspioError) -> CaspioResponse {
        // Two Authorization headers would both go out, and which one the server reads is luck.
        if request.headers.contains(where: { $0.0.caseInsensitiveCompare("Authorization") == .orderedSame }) {
            throw CaspioError(
                .config,
                "refusing to send an Authorization header: the client signs every request with its own token (remove Authorization from opts.headers)",
                method: request.method, url: request.path)
        }
        var exchange = HTTPRequest(
            request.method, try target.url(for: request.path, query: request.query, method: request.method),
            headers: request.headers, body: request.body, timeout: request.timeout, downloadTo: request.downloadTo)
        if !exchange.hasHeader("Accept") { exchange.headers.append(("Accept", "application/json")) }
        if let principal = request.principal {
            exchange.headers.removeAll { $0.0.caseInsensitiveCompare("Principal") == .orderedSame }
            exchange.headers.append(("Principal", principal))
        } else if let principal = configuration.principal, !exchange.hasHeader("Principal") {
            exchange.headers.append(("Principal", principal))
        }
        if request.body != nil, !exchange.hasHeader("Content-Type") {
            exchange.headers.append(("Content-Type", request.contentType ?? "application/json"))
        }
        let first = try await sendOnce(exchange, token: try await tokens.validToken())
        var (response, token) = (first.response, first.token)
        if response.status == 401 {
            logger.info("HTTP 401 from \(request.method) \(RequestTarget.readable(exchange.url)): renewing the token and replaying the request once")
            let renewed = try await tokens.tokenRejected(token)
            (response, token, _) = try await sendOnce(exchange, token: renewed)
            if response.status == 401 {
                var error = response.error
                error.kind = .auth
                error.message = "the server refused a freshly renewed token: \(error.message)"
                throw error
            }
        } else if StaleTokenCheck.suspects(response) {
            response = try await afterSuspect400(exchange, token: token, sentAt: first.sentAt, response: response)
        }
        if request.downloadTo != nil, response.status == 204 {
            throw response.error  // nothing to save: no file is written
        }
        return response
    }

    /// A `400 IncorrectQueryParameter`, which Caspio also answers to a stale token: renews and
    /// replays once when the token may be the cause (StaleTokenCheck says when).
    private func afterSuspect400(_ exchange: HTTPRequest, token: TokenSet, sentAt: ContinuousClock.Instant, response: CaspioResponse)
        async throws(CaspioError) -> CaspioResponse
    {
        let shown = "\(exchange.method) \(RequestTarget.readable(exchange.url))"
        switch await staleTokens.decide(token: token.accessToken, sentAt: sentAt) {
        case .surface:
            return response
        case .replay:
            let renewed = try await tokens.validToken()
            guard renewed.accessToken != token.accessToken else { return response }
            return try await sendOnce(exchange, token: renewed).response
        case .check:
            do throws(CaspioError) {
                logger.info(
                    "HTTP 400 IncorrectQueryParameter from \(shown), which Caspio also answers to a stale token: renewing the token and replaying the request once")
                let renewed = try await tokens.tokenRejected(token)
                guard renewed.accessToken != token.accessToken else {
                    await staleTokens.finish(stale: false)
                    return response
                }
                let replayed = try await sendOnce(exchange, token: renewed).response
                let genuine = StaleTokenCheck.suspects(replayed)
                await staleTokens.finish(stale: !genuine)
                if genuine {
                    logger.info("the replay with a renewed token got the same HTTP 400: the request itself is wrong; later ones of this run are not replayed")
                }
                return replayed
            } catch {
                await staleTokens.finish(stale: nil)
                throw error
            }
        }
    }

    /// One request with `token`; a retry takes the token current when it starts (another
    /// request may have renewed it meanwhile). Returns the answer, the token its last attempt
    /// carried, and when that attempt was sent (after the account gate let it through). A
    /// success confirms the token for StaleTokenCheck.
    private func sendOnce(_ exchange: HTTPRequest, token: TokenSet) async throws(CaspioError)
        -> (response: CaspioResponse, token: TokenSet, sentAt: ContinuousClock.Instant)
    {
        let (budget, counters, usage, tokens) = (configuration.maxRequests, counters, usage, tokens)
        let (method, url) = (exchange.method, RequestTarget.readable(exchange.url))
        let used = NIOLockedValueBox(token)
        let authorization = { (attempt: Int) async throws(CaspioError) -> String in
            let current = attempt == 1 ? token : try await tokens.validToken()
            used.withLockedValue { $0 = current }
            return "Bearer " + current.accessToken.reveal()
        }
        var sentAt = ContinuousClock.now
        let response = try await transport.send(exchange, authorization: authorization) { () async throws(CaspioError) in
            sentAt = .now
            try counters.reserveRequest(method: method, url: url, budget: budget)
            do throws(CaspioError) { try await usage?.record(method: method, url: url) } catch {
                if let warning = usage?.uncountedWarning(for: error) {
                    if !warning.isEmpty { logger.warning("\(warning)") }
                    return
                }
                counters.releaseRequest(method: method)
                throw error
            }
        }
        let last = used.withLockedValue { $0 }
        if (200..<300).contains(response.status) { await staleTokens.confirm(last.accessToken, sentAt: sentAt) }
        return (response, last, sentAt)
    }
}
