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
    let maxBodyBytes = 512 * 1024 * 1024

    public init(configuration: ClientConfiguration, counters: Counters, logger: Logger) throws(CaspioError) {
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
        self.counters = counters
        gate = AccountGate(rate: configuration.rate, counters: counters)
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
    /// A 429 or 503 closes the gate for the whole run; waiting for it to reopen is not an
    /// attempt of the retry budget (`RetryPolicy.maxRefusals` bounds it). Never logs headers
    /// or bodies.
    public func send(_ request: HTTPRequest, beforeEachAttempt: () async throws(CaspioError) -> Void = {})
        async throws(CaspioError) -> CaspioResponse
    {
        let (method, shownURL) = (request.method, RequestTarget.readable(request.url))
        var (attempt, refusals) = (1, 0)
        while true {
            let pass: AccountGate.Pass
            do { pass = try await gate.enter() } catch {
                throw CaspioError(.network, "cancelled", method: method, url: shownURL)
            }
            do throws(CaspioError) { try await beforeEachAttempt() } catch {
                gate.leave(pass, .unknown)
                throw error
            }
            let started = ContinuousClock.now
            let failure: RetryPolicy.Failure
            var retryAfter: Double?
            var lastError: CaspioError
            do {
                let response = try await once(request)
                let elapsed = started.duration(to: .now)
                logger.info(
                    "\(method) \(shownURL) -> \(response.status)",
                    metadata: [
                        "method": "\(method)", "url": "\(shownURL)", "status": "\(response.status)",
                        "duration_ms": "\(elapsed.milliseconds)", "attempt": "\(attempt)",
                        "request_id": "\(response.header("X-Caspio-Request-ID") ?? "")",
                    ])
                if response.status == 429 || response.status == 503 {
                    refusals += 1
                    let given = response.header("Retry-After").flatMap(parseRetryAfter)
                    let pause = retry.pause(afterRefusal: refusals, retryAfter: given)
                    gate.leave(pass, .refused(pause: pause))
                    guard retry.maxAttempts > 1, refusals < retry.maxRefusals else { return response }
                    logger.info(
                        "HTTP \(response.status) from \(method) \(shownURL): every request of this run waits \(String(format: "%.2f", pause))s for the account to reopen",
                        metadata: ["method": "\(method)", "url": "\(shownURL)", "status": "\(response.status)"])
                    counters.countRetry()
                    continue
                }
                gate.leave(pass, response.status == 502 || response.status == 504 ? .unknown : .accepted)
                guard [502, 504].contains(response.status) else { return response }
                failure = .status(response.status)
                retryAfter = response.header("Retry-After").flatMap(parseRetryAfter)
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
            try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
            if Task.isCancelled { throw CaspioError(.network, "cancelled", method: method, url: shownURL) }
        }
    }

    private func once(_ request: HTTPRequest) async throws -> CaspioResponse {
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let deadline = TimeAmount.milliseconds(Int64((request.timeout ?? 300) * 1000))
        let response = try await client.execute(outgoing, timeout: deadline, logger: clientLogger)
        let (status, headers) = (Int(response.status.code), response.headers.map { ($0.name, $0.value) })
        let sent = request.body?.count ?? 0
        if let downloadTo = request.downloadTo, (200..<300).contains(status) {
            let written = try await FileDownload.write(response.body, to: downloadTo)
            counters.countBytes(sent: sent, received: written)
            return CaspioResponse(status: status, headers: headers, body: [], method: request.method, url: request.url)
        }
        var buffer = try await response.body.collect(upTo: maxBodyBytes)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        counters.countBytes(sent: sent, received: bytes.count)
        return CaspioResponse(status: status, headers: headers, body: bytes, method: request.method, url: request.url)
    }

    /// Sorts a failure into: what to call it, whether the server may have seen the request.
    private func classify(_ error: Error) -> (CaspioError.Kind, RetryPolicy.Failure, String) {
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
