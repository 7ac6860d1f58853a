import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The sandbox on Hummingbird, bound to 127.0.0.1 only: it accepts the demo credentials and
/// must never be reachable from another machine.
public enum SandboxServer {
    /// The Hummingbird application; `onRunning` learns the port once it is bound (0 asks for a free one).
    static func application(_ sandbox: Sandbox, onRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await respond(sandbox, request)
        }
        var logger = Logger(label: "caspio-sandbox")
        logger.logLevel = .warning
        return Application(
            responder: responder,
            configuration: .init(address: .hostname("127.0.0.1", port: sandbox.settings.port), serverName: "caspio-sandbox"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    private static func respond(_ sandbox: Sandbox, _ request: Request) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // Bodies are read whole, up to the upload limit plus room for multipart framing; beyond
        // that the answer is 413 without reading further.
        let limit = sandbox.settings.maxUploadBytes + 64 * 1024
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            let tooLarge = SandboxRequest(method: request.method.rawValue, uri: request.uri.description)
            return make(sandbox.tooLarge(tooLarge))
        }
        let latency = sandbox.settings.latencyMilliseconds
        if latency > 0, !request.uri.path.hasPrefix("/_sandbox") {
            // Chaos by design (--latency): every answer is this much slower.
            try await Task.sleep(nanoseconds: UInt64(latency) * 1_000_000)
        }
        let sandboxRequest = SandboxRequest(
            method: request.method.rawValue, uri: request.uri.description, headers: headers, body: Array(buffer: body))
        return make(sandbox.handle(sandboxRequest))
    }

    private static func make(_ reply: SandboxResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return Response(status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}
