import CaspioClient
import CaspioSandbox
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle

/// `caspio mirror --listen ADDR`: receives Caspio's webhook deliveries (a POST to any path),
/// checks who sent them and queues them in the inbox for the mirror to apply. A delivery is
/// answered 200 once queued (or known: a repeat), 401 without a secret or signature, 403 with
/// a wrong one, 400 when it is not a webhook message, 413 above Caspio's 10 MB.
final class WebhookListener: Sendable {
    /// Where the webhook secret comes from: the environment, never the command line (which
    /// other users of the host can read).
    static let secretVariable = "CASPIO_WEBHOOK_SECRET"
    /// Caspio's largest message (API-NOTES.md, "Outgoing webhooks").
    static let maxBody = 10 * 1024 * 1024

    struct Address: Equatable {
        var host: String
        var port: Int

        /// HOST:PORT (`[::1]:8080` for IPv6); port 0 takes a free one.
        static func parse(_ text: String) -> Address? {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            var host = String(text[..<colon])
            guard let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" || $0 == "[" || $0 == "]" }) else { return nil }
            return Address(host: host, port: port)
        }
    }

    /// Why a delivery is refused, or nil when it comes from the webhook: a signature header,
    /// when present, must be the body's HMAC under the secret; a `secret` in the body, when
    /// present, must be the secret; one of them must be there.
    static func refusal(body: [UInt8], signature: String?, secret: Secret) -> (status: Int, reason: String)? {
        refusal(body: body, object: message(body), signature: signature, secret: secret)
    }

    /// `body` as a JSON object, or nil when it is none.
    private static func message(_ body: [UInt8]) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }

    /// As above, with the body already parsed (`object`), so that a delivery is parsed once.
    private static func refusal(body: [UInt8], object: [String: Any]?, signature: String?, secret: Secret) -> (status: Int, reason: String)? {
        let inBody = object?["secret"]
        if signature == nil, inBody == nil { return (401, "no secret in the body and no \(WebhookDelivery.signatureHeader) header") }
        if let signature, !constantTimeEqual(signature, WebhookDelivery.signature(body, secret: secret.reveal())) {
            return (403, "wrong signature")
        }
        if let inBody, !((inBody as? String).map { constantTimeEqual($0, secret.reveal()) } ?? false) { return (403, "wrong secret") }
        return nil
    }

    /// Compares without stopping at the first difference, so that the time taken tells an
    /// attacker nothing about how much of a guess was right.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for i in 0..<max(x.count, y.count) { difference |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0) }
        return difference == 0
    }

    /// What a delivery gets: a status and a short text (never the secret).
    static func answer(body: [UInt8], signature: String?, secret: Secret, inbox: WebhookInbox, logger: Logger) -> (status: Int, text: String) {
        let object = message(body)
        if let (status, reason) = refusal(body: body, object: object, signature: signature, secret: secret) {
            logger.warning("webhook delivery refused: \(reason)")
            return (status, reason)
        }
        guard let object, let messageId = object["messageId"] as? String, !messageId.isEmpty, let text = String(bytes: body, encoding: .utf8)
        else { return (400, "not a webhook message: a JSON object with a messageId expected") }
        switch inbox.admit(messageId: messageId, body: text) {
        case .queued:
            logger.debug("webhook message \(messageId) queued")
            return (200, "queued")
        case .repeated:
            logger.info("webhook message \(messageId) is a repeat: ignored")
            return (200, "repeat")
        }
    }

    private let group: ServiceGroup
    private let task: Task<Void, Error>
    /// Where it listens, its port the bound one.
    let address: Address

    private init(group: ServiceGroup, task: Task<Void, Error>, address: Address) {
        (self.group, self.task, self.address) = (group, task, address)
    }

    struct StartFailure: Error, CustomStringConvertible { var description: String }

    /// Listens on `address`; returns once bound.
    static func start(_ address: Address, secret: Secret, inbox: WebhookInbox, logger: Logger) async throws -> WebhookListener {
        let router = Router()
        let handler: @Sendable (Request, BasicRequestContext) async throws -> Response = { request, _ in
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: maxBody) } catch {
                return Response(status: .contentTooLarge)
            }
            let (status, text) = answer(body: Array(buffer: body), signature: request.headers[HTTPField.Name(WebhookDelivery.signatureHeader)!],
                                        secret: secret, inbox: inbox, logger: logger)
            return Response(status: .init(code: status), headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
        }
        router.post("/", use: handler)
        router.post("**", use: handler)
        var quiet = logger
        quiet.logLevel = .warning
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            router: router, configuration: .init(address: .hostname(address.host, port: address.port), serverName: "caspio-mirror"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? address.port)
                continuation.finish()
            },
            logger: quiet)
        let group = ServiceGroup(configuration: .init(services: [app], logger: quiet))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            let why: String
            do {
                try await task.value
                why = "it stopped at once"
            } catch { why = "\(error)" }
            throw StartFailure(description: "--listen \(address.host):\(address.port): cannot listen there (\(why)); give a free port of this host's, e.g. 127.0.0.1:8080")
        }
        return WebhookListener(group: group, task: task, address: Address(host: address.host, port: port))
    }

    /// Stops accepting deliveries and waits until the server has closed.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }
}
