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

/// A client pointed at `fake`, with fast retries.
func makeClient(
    _ fake: FakeCaspio, cache: String? = nil, logs: CapturedLogs = CapturedLogs(), authStyle: ClientConfiguration.AuthStyle = .body,
    caFile: String? = nil, maxRequests: Int? = nil, readTimeout: Double = 5, now: (@Sendable () -> Date)? = nil
) throws -> CaspioClient {
    let configuration = ClientConfiguration(
        baseURL: URL(string: fake.baseURL)!, tokenURL: URL(string: fake.tokenURL)!, clientID: fake.settings.clientID,
        clientSecret: Secret(fake.settings.clientSecret), authStyle: authStyle, caFile: caFile,
        tokenCacheDirectory: cache, connectTimeout: 2, readTimeout: readTimeout,
        retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01, maxDelay: 0.05), maxRequests: maxRequests)
    return try CaspioClient(configuration: configuration, logger: logs.logger(), now: now)
}

func temporaryPath(_ name: String = "dir") -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("caspio-\(name)-\(UUID().uuidString)").path
}

/// A clock tests move by hand.
final class ManualClock: Sendable {
    let current = NIOLockedValueBox(Date())
    func advance(_ seconds: Double) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    var now: @Sendable () -> Date { { [current] in current.withLockedValue { $0 } } }
}
