#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// The bounds of one HTTP exchange: a deadline over all of it (connecting, the head, every
/// byte of the body), not per read, and a size limit on a body kept in memory.
enum ExchangeLimits {
    /// The exchange outlived its deadline; what was in flight has been cancelled.
    struct DeadlineExceeded: Error {
        var seconds: Double
    }

    /// The body grew past `limit` bytes; the connection was closed before reading more.
    struct BodyTooLarge: Error {
        var limit: Int
        var status: Int
    }

    /// Runs `exchange` with `seconds` to finish. At the deadline the exchange is cancelled
    /// (AsyncHTTPClient closes its connection and a body being read ends), and this throws
    /// `DeadlineExceeded`. Cancelling the caller cancels the exchange too.
    static func withDeadline<T: Sendable>(
        _ seconds: Double, _ exchange: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await exchange() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next() else { throw CancellationError() }
            guard let value = first else { throw DeadlineExceeded(seconds: seconds) }
            return value
        }
    }

    /// "64 MB", "512 KB", "100 bytes": a limit as people read it.
    static func readable(bytes: Int) -> String {
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return "\(bytes >> 20) MB" }
        if bytes >= 1 << 10, bytes % (1 << 10) == 0 { return "\(bytes >> 10) KB" }
        return "\(bytes) bytes"
    }
}
