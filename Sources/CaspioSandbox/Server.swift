import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The sandbox on Hummingbird, bound to 127.0.0.1 only: it accepts the demo credentials and
/// must never be reachable from another machine.
public enum SandboxServer {
    static let prefixes = [(prefix: "/integrations/rest/v3", version: 3), (prefix: "/rest/v2", version: 2)]

    /// The Hummingbird application; `onRunning` learns the port once it is bound (0 asks for a free one).
    /// `middleware` wraps every request, outermost first (tests in process add their knobs there).
    static func application(
        _ sandbox: Sandbox, middleware: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = [], onRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        var logger = Logger(label: "caspio-sandbox")
        logger.logLevel = .warning
        return Application(
            router: router(sandbox, middleware: middleware),
            configuration: .init(address: .hostname("127.0.0.1", port: sandbox.settings.port), serverName: "caspio-sandbox"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }

    static func router(_ sandbox: Sandbox, middleware: [any MiddlewareProtocol<Request, Response, BasicRequestContext>] = []) -> Router<BasicRequestContext> {
        let router = Router()
        for outer in middleware { router.add(middleware: outer) }
        router.add(middleware: CaspioNotFound(sandbox: sandbox))
        for method in [HTTPRequest.Method.get, .post, .put, .delete] {
            // The token endpoint answers every method, refusing all but POST in OAuth's shape.
            router.on("/oauth/token", method: method) { request, _ in
                try await respond(sandbox, request, version: 3, params: [:]) { s, r in s.handle(r, authenticated: false) { try $0.token($1) } }
            }
        }
        router.get("/_sandbox/stats") { request, _ in
            try await respond(sandbox, request, version: 3, params: [:]) { s, r in s.handle(r, authenticated: false) { s, _ in .json(200, s.stats) } }
        }
        router.post("/_sandbox/inbox") { request, _ in
            try await respond(sandbox, request, version: 3, params: [:]) { s, r in s.handle(r, authenticated: false) { s, r in try s.receive(r) } }
        }
        router.get("/_sandbox/inbox") { request, _ in
            try await respond(sandbox, request, version: 3, params: [:]) { s, r in s.handle(r, authenticated: false) { s, _ in try s.inbox() } }
        }
        for (prefix, version) in prefixes {
            for route in Sandbox.routes {
                let path = prefix + "/" + (version == 2 ? route.v2Path : route.path)
                router.on(RouterPath(path), method: route.method) { request, context in
                    var params: [String: String] = [:]
                    for name in route.captures {
                        if let value = context.parameters.get(name) { params[name] = value.removingPercentEncoding ?? value }
                    }
                    return try await respond(sandbox, request, version: version, params: params) { s, r in s.handle(r, authenticated: true, route.handle) }
                }
            }
        }
        // v4 beside v3, over the same store (Sources/CaspioSandbox/V4).
        for route in Sandbox.v4Routes {
            let path = route.path.isEmpty ? v4Prefix : v4Prefix + "/" + route.path
            router.on(RouterPath(path), method: route.method) { request, context in
                var params: [String: String] = [:]
                for name in route.captures {
                    if let value = context.parameters.get(name) { params[name] = value.removingPercentEncoding ?? value }
                }
                return try await respond(sandbox, request, version: 4, params: params) { s, r in s.handle(r, authenticated: true, route.handle) }
            }
        }
        return router
    }

    static let v4Prefix = "/integrations/rest/v4"

    /// The REST API version whose routes a request's path is under (3 outside them all: the
    /// token endpoint, /_sandbox).
    static func version(ofPath path: String) -> Int {
        if path.hasPrefix(v4Prefix + "/") || path == v4Prefix { return 4 }
        return prefixes.first { path.hasPrefix($0.prefix + "/") }?.version ?? 3
    }

    private static func respond(
        _ sandbox: Sandbox, _ request: Request, version: Int, params: [String: String],
        _ answer: (Sandbox, SandboxRequest) -> SandboxResponse
    ) async throws -> Response {
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        // Bodies are read whole, up to the upload limit plus room for multipart framing; beyond
        // that the answer is 413 without reading further.
        let limit = sandbox.settings.maxUploadBytes + 64 * 1024
        let body: ByteBuffer
        do { body = try await request.body.collect(upTo: limit) } catch {
            return make(sandbox.render(APIError.tooLarge(limit: sandbox.settings.maxUploadBytes, "the request"), uri: request.uri.description))
        }
        let latency = sandbox.settings.latencyMilliseconds
        if latency > 0, !request.uri.path.hasPrefix("/_sandbox") {
            // Chaos by design (--latency): every answer is this much slower.
            try await Task.sleep(nanoseconds: UInt64(latency) * 1_000_000)
        }
        var sandboxRequest = SandboxRequest(
            method: request.method.rawValue, uri: request.uri.description, headers: headers, body: Array(buffer: body))
        sandboxRequest.params = params
        sandboxRequest.version = version
        return make(answer(sandbox, sandboxRequest))
    }

    static func make(_ reply: SandboxResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return Response(status: .init(code: reply.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
    }
}

/// Paths no route declares (and methods a path does not take) get Caspio's 404 body, not
/// Hummingbird's.
struct CaspioNotFound: RouterMiddleware {
    let sandbox: Sandbox

    func handle(_ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response) async throws -> Response {
        do { return try await next(request, context) } catch let error as HTTPError {
            let failure = APIError(Int(error.status.code), "ObjectNotFound", "Cannot find resource \(request.uri.path)")
            let version = SandboxServer.version(ofPath: request.uri.path)
            return SandboxServer.make(sandbox.render(failure, uri: request.uri.description, version: version))
        }
    }
}
