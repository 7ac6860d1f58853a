import AsyncHTTPClient
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore

extension Sandbox {
    /// Rows in order, in runs whose encoded data stay within `bytes` (a row alone may exceed it).
    static func batches(_ rows: [JSON], bytes: Int) -> [[JSON]] {
        var batches: [[JSON]] = [], current: [JSON] = [], size = 0
        for row in rows {
            let length = row.encoded.utf8.count + 1
            if !current.isEmpty, size + length > bytes {
                batches.append(current)
                current = []
                size = 0
            }
            current.append(row)
            size += length
        }
        return current.isEmpty ? batches : batches + [current]
    }

    /// No ObjectFields: every change; else a change to one of them (a view's `Table_Field` counts).
    private static func watches(_ fields: [String], _ changed: [String]) -> Bool {
        fields.isEmpty || changed.contains { name in
            fields.contains { $0.caseInsensitiveCompare(name) == .orderedSame || name.lowercased().hasSuffix("_" + $0.lowercased()) }
        }
    }

    /// A record change made through the API (or a task): each enabled event of an enabled
    /// webhook for that table and type, with `source` among its sources, gets messages per URL,
    /// each at most `webhookMessageBytes` of data. An update event with ObjectFields hears
    /// only of updates that set one of them (`changed`).
    func notify(_ table: String, _ type: String, _ rows: [JSON], changed: [String] = [], source: String = "RESTAPIs") {
        let subscribed = (try? store.locked { () -> [(JSON, JSON)] in
            try store.objects("webhook").flatMap { hook in
                try store.objects("event", parent: hook.id).map { (hook.body, $0.body) }
            }
        }) ?? []
        for (hook, event) in subscribed
        where hook["Status"]?.string == "Enabled" && event["Status"]?.string == "Enabled" && event["Type"]?.string == type
            && event["ObjectName"]?.string?.lowercased() == table.lowercased() && event["EventSources"]?.strings?.contains(source) != false
            && Self.watches(event["ObjectFields"]?.strings ?? [], changed)
        {
            for batch in Self.batches(rows, bytes: settings.webhookMessageBytes) {
                // The secret travels in the body unless the event was made without it (v4's
                // defaultPayloadIncludesSecret false); every delivery is signed either way.
                var message: [(String, JSON)] = [
                    ("eventId", event["Id"] ?? .null), ("messageId", .string(UUID().uuidString.lowercased())), ("webhookId", hook["Id"] ?? .null),
                    ("accountId", .string("sandbox")), ("secret", hook["Secret"] ?? .null), ("eventDate", .string(CaspioDate.now(clock.now))),
                    ("eventType", .string(type)), ("objectName", .string(table)), ("data", .array(batch)),
                ]
                if event["IncludesSecret"]?.bool == false { message.removeAll { $0.0 == "secret" } }
                for url in hook["OutgoingUrls"]?.strings ?? [] {
                    webhooks.send(.object(message), to: url, webhook: hook["Id"]?.string ?? "", event: event["Id"]?.string ?? "",
                                  callsPerSecond: hook["CallThrottling"]?.int ?? 10, secret: hook["Secret"]?.string ?? "")
                }
            }
        }
    }
}

/// Posts webhook messages in Caspio's default shape (API-NOTES.md, "Outgoing webhooks"), to
/// loopback URLs only (the sandbox must not reach out of the machine), at most CallThrottling
/// calls a second per webhook, retrying a failed call with a doubling pause.
public final class WebhookDelivery: Sendable {
    struct Counts { var messages = 0, calls = 0, errors = 0 }

    private struct State {
        var total = Counts(), delivered = 0, retries = 0, refused = 0, pending = 0
        var byObject: [String: Counts] = [:]
        /// Per webhook: the earliest time its next call may start.
        var nextSlot: [String: Double] = [:]
        /// Who waits for every message to be delivered or given up (`settled`).
        var waiters: [UUID: CheckedContinuation<Bool, Never>] = [:]
    }

    private let state = NIOLockedValueBox(State())
    private let attempts: Int
    private let retryDelay: Double
    /// What the pauses between calls and before retries are measured with.
    private let clock: SandboxClock

    init(settings: SandboxSettings, clock: SandboxClock) {
        attempts = max(1, settings.webhookAttempts)
        retryDelay = settings.webhookRetryDelay
        self.clock = clock
    }

    func counts(_ id: String) -> Counts { state.withLockedValue { $0.byObject[id] ?? Counts() } }

    var stats: JSON {
        state.withLockedValue { s in
            .object([
                ("messages", .int(s.total.messages)), ("calls", .int(s.total.calls)), ("delivered", .int(s.delivered)),
                ("errors", .int(s.total.errors)), ("retries", .int(s.retries)), ("refused", .int(s.refused)), ("pending", .int(s.pending)),
            ])
        }
    }

    /// Whether every message is delivered or given up within `seconds` (for tests and tools).
    func settled(within seconds: Double) async -> Bool {
        await withCheckedContinuation { (waiter: CheckedContinuation<Bool, Never>) in
            let id = UUID()
            let done = state.withLockedValue { s -> Bool in
                if s.pending == 0 { return true }
                s.waiters[id] = waiter
                return false
            }
            if done { return waiter.resume(returning: true) }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
            }
        }
    }

    static func isLoopback(_ url: String) -> Bool {
        guard let host = URL(string: url)?.host?.lowercased() else { return false }
        return host == "127.0.0.1" || host == "localhost" || host == "::1" || host == "[::1]"
    }

    /// The header that carries a delivery's signature: the sandbox's own name (Caspio's is not
    /// documented), `sha256=` and the lower-case hex HMAC-SHA256 of the exact body under the
    /// webhook's secret.
    public static let signatureHeader = "X-Sandbox-Signature"

    public static func signature(_ body: [UInt8], secret: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    func send(_ message: JSON, to url: String, webhook: String, event: String, callsPerSecond: Int, secret: String) {
        let loopback = Self.isLoopback(url)
        state.withLockedValue { s in
            for id in ["", webhook, event] { s.byObject[id, default: Counts()].messages += 1 }
            s.total.messages += 1
            if loopback { s.pending += 1 } else { s.refused += 1 }
        }
        guard loopback else { return }
        let body = Array(message.encoded.utf8)
        Task {
            var delay = retryDelay
            for attempt in 1...attempts {
                await throttle(webhook, callsPerSecond)
                let ok = await post(body, to: url, signature: Self.signature(body, secret: secret))
                state.withLockedValue { s in
                    s.total.calls += 1
                    for id in [webhook, event] { s.byObject[id, default: Counts()].calls += 1 }
                    if !ok {
                        s.total.errors += 1
                        for id in [webhook, event] { s.byObject[id, default: Counts()].errors += 1 }
                    }
                    if ok || attempt == attempts { s.pending -= 1 }
                    if s.pending == 0 {
                        for waiter in s.waiters.values { waiter.resume(returning: true) }
                        s.waiters = [:]
                    }
                    if ok { s.delivered += 1 } else if attempt < attempts { s.retries += 1 }
                }
                if ok { return }
                if attempt < attempts {
                    try? await clock.sleep(delay)
                    delay *= 2
                }
            }
        }
    }

    /// Waits for this webhook's next call slot: calls start at least 1/CallThrottling s apart.
    private func throttle(_ webhook: String, _ callsPerSecond: Int) async {
        let now = clock.now().timeIntervalSince1970
        let start = state.withLockedValue { s -> Double in
            let slot = max(now, s.nextSlot[webhook] ?? 0)
            s.nextSlot[webhook] = slot + 1 / Double(max(1, callsPerSecond))
            return slot
        }
        if start > now { try? await clock.sleep(start - now) }
    }

    /// One call: a 2xx answer within 10 s is a delivery, anything else a failure.
    private func post(_ body: [UInt8], to url: String, signature: String) async -> Bool {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: Self.signatureHeader, value: signature)
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1024 * 1024)
            return (200..<300).contains(Int(response.status.code))
        } catch { return false }
    }
}
