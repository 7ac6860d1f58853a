import CaspioTestSupport
import Foundation
import Logging
import NIOConcurrencyHelpers

@testable import CaspioClient

/// Collects every log line, so tests can assert that no secret ever reaches a log.
final class CapturedLogs: Sendable {
    let lines = NIOLockedValueBox<[String]>([])
    var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }

    func logger() -> Logger {
        let lines = lines
        var logger = Logger(label: "test") { _ in CapturingHandler(lines: lines) }
        logger.logLevel = .trace
        return logger
    }
}

struct CapturingHandler: LogHandler {
    let lines: NIOLockedValueBox<[String]>
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let line = "\(event.level) \(event.message) \(event.metadata ?? [:])"
        lines.withLockedValue { $0.append(line) }
    }
}

/// A client pointed at `fake`, with fast retries; `clientSecret` replaces the right one (a
/// secret rotated on the server since).
func makeClient(
    _ fake: any CaspioEndpoint, clientSecret: String? = nil, cache: String? = nil, logs: CapturedLogs = CapturedLogs(), authStyle: ClientConfiguration.AuthStyle = .body,
    caFile: String? = nil, maxRequests: Int? = nil, readTimeout: Double = 5, now: (@Sendable () -> Date)? = nil
) throws -> CaspioClient {
    let configuration = ClientConfiguration(
        baseURL: URL(string: fake.baseURL)!, tokenURL: URL(string: fake.tokenURL)!, clientID: fake.clientID,
        clientSecret: Secret(clientSecret ?? fake.clientSecret), authStyle: authStyle, caFile: caFile,
        tokenCacheDirectory: cache, connectTimeout: 2, readTimeout: readTimeout,
        retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05), maxRequests: maxRequests)
    return try CaspioClient(configuration: configuration, logger: logs.logger(), now: now)
}

func temporaryPath(_ name: String = "dir") -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("caspio-\(name)-\(UUID().uuidString)").path
}

/// The token endpoint's OAuth error answer.
func oauthError(_ status: Int, _ code: String, _ description: String = "refused") -> TestHTTPServer.Reply {
    .json(status, ["error": code, "error_description": description])
}

/// Requests to the token endpoint, and those of one grant type.
let toTokens: @Sendable (TestHTTPServer.Request) -> Bool = { $0.path == "/oauth/token" }
let toRefreshGrants: @Sendable (TestHTTPServer.Request) -> Bool = { $0.path == "/oauth/token" && $0.form["grant_type"] == "refresh_token" }

/// A clock tests move by hand.
final class ManualClock: Sendable {
    let current = NIOLockedValueBox(Date())
    func advance(_ seconds: Double) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    var now: @Sendable () -> Date { { [current] in current.withLockedValue { $0 } } }
}
