import Foundation

/// A wall clock a test sets, for code that reads the date (the sandbox's stamps): `read` is
/// what such code takes as its clock.
public final class SetClock: @unchecked Sendable {
    private let lock = NSLock()
    private var now: Date

    /// Starts at `text`, an ISO 8601 date and time in UTC without its zone (`2026-03-01T10:00:00`).
    public init(_ text: String) { now = Self.date(text) }

    public func set(_ text: String) { lock.withLock { now = Self.date(text) } }

    public func read() -> Date { lock.withLock { now } }

    public static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text + "Z")! }
}
