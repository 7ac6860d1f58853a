import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One long-lived HTTP client (keep-alive, TLS = system roots + an optional CA file, timeouts,
/// gzip) and the retry loop around it. It knows nothing of tokens.
public final class HTTPTransport: Sendable {
    let client: HTTPClient
    let retry: RetryPolicy
    let counters: Counters
    let gate: AccountGate
    let logger: Logger
    /// What AsyncHTTPClient logs through: never below info. At trace it logs every head and
    /// body part (tokens and the client secret included, hex-encoded where no redaction can
    /// find them); at debug its connection-pool chatter drowns `-v`'s one line per request.
    let clientLogger: Logger
    /// The largest response body kept in memory (`max_response_bytes`); downloads stream to disk.
    let maxBodyBytes: Int
    /// What the backoff between attempts waits on: the gate's clock.
    let clock: GateClock
    /// A request's whole exchange when it names no `timeout`.
    static let defaultTimeout: Double = 300

    /// `clock` times the account gate's pauses and pace and the backoff between attempts
    /// (tests pass a virtual one).
    public init(
        configuration: ClientConfiguration, counters: Counters, logger: Logger, clock: any Clock<Duration> = ContinuousClock()
    ) throws(CaspioError) {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .fullVerification
        if let caFile = configuration.caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw CaspioError(.config, "cannot read the CA file \(caFile) (CASPIO_CA_FILE or ca_file in the profile)")
            }
            do {
                let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
                guard !certificates.isEmpty else { throw CaspioError(.config, "no certificate in it") }
                tls.additionalTrustRoots = [.certificates(certificates)]
            } catch {
                throw CaspioError(.config, "the CA file \(caFile) holds no usable PEM certificate: \(error)")
            }
        }
        let timeout = HTTPClient.Configuration.Timeout(
            connect: .milliseconds(Int64(configuration.connectTimeout * 1000)),
            read: .milliseconds(Int64(configuration.readTimeout * 1000)))
        var clientConfiguration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow, timeout: timeout,
            decompression: .enabled(limit: .ratio(100)))
        clientConfiguration.httpVersion = .http1Only
        // AsyncHTTPClient opens at most 8 connections per host by default, which would hold
        // caspio.map to 8 requests in flight whatever its concurrency (up to 16); the headroom
        // keeps a token request from queueing behind 16 slow ones.
        clientConfiguration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 20
        client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: clientConfiguration)
        retry = configuration.retry
        maxBodyBytes = configuration.maxResponseBytes
        self.counters = counters
        gate = AccountGate(rate: configuration.rate, counters: counters, clock: clock)
        self.clock = GateClock(clock)
        self.logger = logger
        var clientLogger = logger
        clientLogger.logLevel = max(logger.logLevel, .info)
        self.clientLogger = clientLogger
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends a request through the account gate, retrying per the policy. `beforeEachAttempt`
    /// runs before every attempt, once the gate has let it through (the budget checks).
    /// A 429, or a 503 with Retry-After, closes the gate for the whole run; waiting for it to
    /// reopen is not an attempt of the retry budget (`RetryPolicy.maxRefusals` bounds it). An
    /// answer that says the request itself is wrong is never sent again (FinalAnswers). Never
    /// logs headers or bodies.
    /// `authorization`, when given, makes each attempt's Authorization header (attempt 1 first).
    public func send(
        _ request: HTTPRequest, authorization: ((Int) async throws(CaspioError) -> String)? = nil,
        beforeEachAttempt: () async throws(CaspioError) -> Void = {}
    ) async throws(CaspioError) -> CaspioResponse {
        let (method, shownURL) = (request.method, RequestTarget.readable(request.url))
        var (attempt, refusals) = (1, 0)
        while true {
            // A stopped run (its task cancelled) starts no further attempt.
            if Task.isCancelled { throw CaspioError(.network, "cancelled", method: method, url: shownURL) }
            let pass: AccountGate.Pass
            do { pass = try await gate.enter() } catch {
                throw CaspioError(.network, "cancelled", method: method, url: shownURL)
            }
            var outgoing = request
            do throws(CaspioError) {
                try await beforeEachAttempt()
                if let authorization { outgoing.headers.append(("Authorization", try await authorization(attempt + refusals))) }
            } catch {
                gate.leave(pass, .unknown)
                throw error
            }
            let started = ContinuousClock.now
            let failure: RetryPolicy.Failure
            var retryAfter: Double?
            var lastError: CaspioError
            do {
                let response = try await once(outgoing)
                let elapsed = started.duration(to: .now)
                logger.info(
                    "\(method) \(shownURL) -> \(response.status)",
                    metadata: [
                        "method": "\(method)", "url": "\(shownURL)", "status": "\(response.status)",
                        "duration_ms": "\(elapsed.milliseconds)", "attempt": "\(attempt)",
                        "request_id": "\(response.header("X-Caspio-Request-ID") ?? "")",
                    ])
                if FinalAnswers.isFinal(response) {
                    gate.leave(pass, .accepted)
                    return response
                }
                retryAfter = response.header("Retry-After").flatMap(parseRetryAfter)
                if response.status == 429 || (response.status == 503 && retryAfter != nil) {
                    refusals += 1
                    let pause = retry.pause(afterRefusal: refusals, retryAfter: retryAfter)
                    let closing = gate.leave(pass, .refused(pause: pause, limiter: response.status == 429))
                    if let closing { logPause(closing, response, method: method, url: shownURL) }
                    guard retry.maxAttempts > 1, refusals < retry.maxRefusals,
                        retry.replays(refusal: response.status, method: method)
                    else { return response }
                    counters.countRetry()
                    continue
                }
                // A bare 503 is this request's trouble, not a verdict on the account.
                let transient = [408, 502, 503, 504].contains(response.status)
                gate.leave(pass, transient ? .unknown : .accepted)
                guard transient else { return response }
                failure = .status(response.status)
                guard retry.shouldRetry(failure, method: method, attempt: attempt) else { return response }
                lastError = CaspioError(.http, "HTTP \(response.status)", status: response.status)
            } catch {
                gate.leave(pass, .unknown)
                let (kind, classified, message) = classify(error)
                lastError = CaspioError(kind, message, method: method, url: shownURL)
                failure = classified
                logger.debug(
                    "\(method) \(shownURL) failed: \(message)",
                    metadata: ["method": "\(method)", "url": "\(shownURL)", "attempt": "\(attempt)"])
                guard retry.shouldRetry(failure, method: method, attempt: attempt) else { throw lastError }
            }
            let delay = retry.delay(beforeRetry: attempt, retryAfter: retryAfter)
            logger.info(
                "retrying \(method) \(shownURL) in \(String(format: "%.2f", delay))s after \(lastError.message)",
                metadata: ["method": "\(method)", "url": "\(shownURL)", "attempt": "\(attempt + 1)"])
            counters.countRetry()
            attempt += 1
            try? await clock.sleep(.milliseconds(Int64(delay * 1000)))
            if Task.isCancelled { throw CaspioError(.network, "cancelled", method: method, url: shownURL) }
        }
    }

    /// One line per pause: why, how long, the pace after it; said at the default level (warning)
    /// when it is long enough for a user to wonder why nothing moves.
    private func logPause(_ closing: AccountPacer.Closing, _ response: CaspioResponse, method: String, url: String) {
        guard closing.began else { return }
        let pace = closing.resumeRate.map { String(format: "%.1f requests/s", $0) } ?? "the full pace"
        let inFlight = closing.concurrencyLimit.map { ", at most \($0) in flight" } ?? ""
        let message: Logger.Message =
            "HTTP \(response.status) from \(method) \(url): the account refuses work for now; every request of this run pauses \(String(format: "%.1f", closing.seconds))s, then resumes at \(pace)\(inFlight)"
        let metadata: Logger.Metadata = ["method": "\(method)", "url": "\(url)", "status": "\(response.status)"]
        if closing.seconds > Self.loudPause { logger.warning(message, metadata: metadata) } else { logger.info(message, metadata: metadata) }
    }

    /// Pauses longer than this are said at the default log level.
    static let loudPause = 2.0

    /// One exchange, bounded as a whole by the request's `timeout`.
    private func once(_ request: HTTPRequest) async throws -> CaspioResponse {
        let seconds = request.timeout ?? Self.defaultTimeout
        return try await ExchangeLimits.withDeadline(seconds) { try await self.exchange(request, seconds: seconds) }
    }

    private func exchange(_ request: HTTPRequest, seconds: Double) async throws -> CaspioResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = TimeAmount.milliseconds(Int64(seconds * 1000))
        let response = try await client.execute(outgoing, timeout: deadline, logger: clientLogger)
        let (status, headers) = (Int(response.status.code), response.headers.map { ($0.name, $0.value) })
        let sent = request.body?.count ?? 0
        if let downloadTo = request.downloadTo, (200..<300).contains(status), status != 204 {
            let written = try await FileDownload.write(response.body, to: downloadTo)
            counters.countBytes(sent: sent, received: written)
            return CaspioResponse(status: status, headers: headers, body: [], method: request.method, url: request.url)
        }
        var buffer: ByteBuffer
        do { buffer = try await response.body.collect(upTo: maxBodyBytes) } catch is NIOTooManyBytesError {
            throw ExchangeLimits.BodyTooLarge(limit: maxBodyBytes, status: status)
        }
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        counters.countBytes(sent: sent, received: bytes.count)
        return CaspioResponse(status: status, headers: headers, body: bytes, method: request.method, url: request.url)
    }

    /// Sorts a failure into: what to call it, whether the server may have seen the request.
    private func classify(_ error: Error) -> (CaspioError.Kind, RetryPolicy.Failure, String) {
        if let error = error as? ExchangeLimits.DeadlineExceeded {
            return (.timeout, .timeoutOrReset, "the request took longer than its timeout of \(String(format: "%g", error.seconds))s (connecting and every byte of the answer included; set opts.timeout for a slower one)")
        }
        if let error = error as? ExchangeLimits.BodyTooLarge {
            return (.http, .permanent, "the HTTP \(error.status) answer's body is larger than max_response_bytes (\(ExchangeLimits.readable(bytes: error.limit))); ask for less (q.limit, q.select), save it with opts.save_to, or raise max_response_bytes (CASPIO_MAX_RESPONSE_BYTES)")
        }
        if error is CancellationError { return (.network, .timeoutOrReset, "cancelled") }
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return (.network, .connectionNotEstablished, "could not connect (timed out)")
            case .readTimeout: return (.timeout, .timeoutOrReset, "the server stopped answering (read timeout)")
            case .deadlineExceeded: return (.timeout, .timeoutOrReset, "the request took longer than its timeout")
            case .remoteConnectionClosed: return (.network, .timeoutOrReset, "the server closed the connection")
            // A cancelled exchange may have reached the server: only idempotent ones are retried.
            case .cancelled: return (.network, .timeoutOrReset, "cancelled")
            case .alreadyShutdown:
                return (.network, .permanent, "the client's connections are already closed (the run or REPL session is ending)")
            default:
                // Users read messages, not Swift type names.
                let text = "\(error)".replacingOccurrences(of: "HTTPClientError.", with: "")
                return (.network, .timeoutOrReset, "the HTTP exchange failed: \(text)")
            }
        }
        if error is NIOConnectionError { return (.network, .connectionNotEstablished, "could not connect: \(error)") }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return (.network, .connectionNotEstablished, "could not connect (timed out)")
        }
        if let error = error as? IOError {
            switch error.errnoCode {
            case ECONNREFUSED, ENETUNREACH, EHOSTUNREACH:
                return (.network, .connectionNotEstablished, "could not connect: \(error)")
            default: return (.network, .timeoutOrReset, "\(error)")
            }
        }
        if error is NIOSSLError || error is BoringSSLError {
            return (.network, .permanent, "TLS failed (is the certificate trusted? see CASPIO_CA_FILE): \(error)")
        }
        return (.network, .timeoutOrReset, "\(error)")
    }
}

/// `Retry-After`: delay-seconds or an HTTP-date.
func parseRetryAfter(_ value: String) -> Double? {
    let trimmed = value.trimmingCharacters(in: .whitespaces)
    if let seconds = Double(trimmed) { return max(0, seconds) }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
    guard let date = formatter.date(from: trimmed) else { return nil }
    return max(0, date.timeIntervalSinceNow)
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
