import Foundation
import Logging
import NIOConcurrencyHelpers

/// Writes log records to stderr as text or as JSON lines (`ts`, `level`, `message`, fields).
/// As a last line of defence it blanks out every registered secret, so that even a careless
/// message cannot leak a token or the client secret.
public struct StderrLogHandler: LogHandler {
    public enum Format: String, Sendable { case text, json }

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    let label: String
    let format: Format

    public init(label: String, level: Logger.Level, format: Format) {
        self.label = label
        self.logLevel = level
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = self.metadata
        if let extra = event.metadata { fields.merge(extra) { $1 } }
        let message = SecretRedactor.shared.redact(event.message.description)
        var line: String
        switch format {
        case .text:
            line = "caspio: \(event.level): \(message)"
            let shown = fields.filter { $0.key != "url" && $0.key != "method" }
            if !shown.isEmpty {
                line += " [" + shown.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ") + "]"
            }
        case .json:
            var object: [String: Any] = [
                "ts": ISO8601DateFormatter.withFractions.string(from: Date()), "level": "\(event.level)",
                "message": message,
            ]
            for (key, value) in fields { object[key] = Self.jsonValue(value) }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            line = String(decoding: data, as: UTF8.self)
        }
        line = SecretRedactor.shared.redact(line) + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// A value written as a number (`"status":200`, `"duration_ms":12`) for a collector to
    /// compare and sum; only the canonical forms, so that `"007"` or an id stays text.
    static func number(_ text: String) -> Any? {
        guard text.range(of: #"^-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?$"#, options: .regularExpression) != nil else { return nil }
        return text.contains(".") ? Double(text) : Int(text)
    }

    private static func jsonValue(_ value: Logger.MetadataValue) -> Any {
        switch value {
        case .string(let s): return number(s) ?? SecretRedactor.shared.redact(s)
        case .stringConvertible(let c): return number(c.description) ?? SecretRedactor.shared.redact(c.description)
        case .array(let a): return a.map(jsonValue)
        case .dictionary(let d): return d.mapValues(jsonValue)
        }
    }
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) public static let withFractions: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

/// The secrets of this process (client secret, tokens), blanked out of everything logged,
/// in every form they travel in (`SecretForms`).
public final class SecretRedactor: Sendable {
    public static let shared = SecretRedactor()
    private let forms = NIOLockedValueBox<Set<String>>([])

    /// A redactor of its own (tests); the process's is `shared`.
    public init() {}

    public func register(_ secret: Secret) {
        let text = secret.reveal()
        guard text.count >= SecretForms.minimumLength else { return }
        let added = SecretForms.of(text)
        forms.withLockedValue { $0.formUnion(added) }
    }

    /// The client secret as an HTTP Basic header carries it, with the client id.
    public func register(clientID: String, secret: Secret) {
        register(secret)
        let added = SecretForms.basic(id: clientID, secret: secret.reveal())
        forms.withLockedValue { $0.formUnion(added) }
    }

    public func redact(_ text: String) -> String {
        SecretForms.redact(text, forms.withLockedValue { $0 })
    }
}
