import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A real HTTP (or HTTPS) server on 127.0.0.1 and an ephemeral port, for tests: every request
/// is recorded, and a handler decides each answer.
public final class TestHTTPServer: Sendable {
    public struct Request: Sendable {
        public var method: String
        /// Path and query as sent.
        public var uri: String
        public var headers: [(String, String)]
        public var body: [UInt8]

        public var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }

        /// Query parameters, percent-decoded (`+` stays `+`, as in RFC 3986 queries).
        public var query: [String: String] {
            guard let q = uri.split(separator: "?", maxSplits: 1).dropFirst().first else { return [:] }
            var result: [String: String] = [:]
            for pair in q.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                let key = parts[0].removingPercentEncoding ?? parts[0]
                result[key] = parts.count > 1 ? (parts[1].removingPercentEncoding ?? parts[1]) : ""
            }
            return result
        }

        public func header(_ name: String) -> String? {
            headers.first { $0.0.caseInsensitiveCompare(name) == .orderedSame }?.1
        }

        /// The body as an application/x-www-form-urlencoded form.
        public var form: [String: String] {
            var result: [String: String] = [:]
            for pair in String(decoding: body, as: UTF8.self).split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map {
                    String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0)
                }
                result[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return result
        }

        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Reply: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]
        /// Wait this long before answering (to provoke timeouts).
        public var delay: Double = 0
        /// Close the connection without answering.
        public var dropConnection = false
        /// Called on the event loop once the answer is written (or the connection dropped).
        public var onSent: (@Sendable () -> Void)? = nil

        public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
            self.status = status
            self.headers = headers
            self.body = body
        }

        public static func json(_ status: Int, _ object: Any, headers: [(String, String)] = []) -> Reply {
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return Reply(status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers, body: Array(data))
        }

        public static func text(_ status: Int, _ text: String, contentType: String = "text/plain") -> Reply {
            Reply(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
        }
    }

    /// Runs on the connection's event loop (never on Swift's cooperative pool, which tests
    /// that block on a child process may have filled); delays go in `Reply.delay`.
    public typealias Handler = @Sendable (Request) -> Reply

    private let channel: Channel
    private let recorded = NIOLockedValueBox<[Request]>([])
    public let port: Int
    public let scheme: String

    /// Starts serving; `tls` makes it HTTPS.
    public init(tls: TestCertificates? = nil, handler: @escaping Handler) throws {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0.serverConfiguration()) }
        let recorded = self.recorded
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(RequestHandler(handler: handler, recorded: recorded))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait(seconds: 10, doing: "binding 127.0.0.1")
        port = channel.localAddress?.port ?? 0
        scheme = tls == nil ? "http" : "https"
    }

    /// `http(s)://127.0.0.1:PORT`
    public var origin: String { "\(scheme)://127.0.0.1:\(port)" }

    public var requests: [Request] { recorded.withLockedValue { $0 } }
    public func clearRequests() { recorded.withLockedValue { $0.removeAll() } }

    public func shutdown() {
        try? channel.close().wait(seconds: 10, doing: "closing the test server")
    }

    deinit { channel.close(promise: nil) }
}

private final class RequestHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let handler: TestHTTPServer.Handler
    let recorded: NIOLockedValueBox<[TestHTTPServer.Request]>
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(handler: @escaping TestHTTPServer.Handler, recorded: NIOLockedValueBox<[TestHTTPServer.Request]>) {
        self.handler = handler
        self.recorded = recorded
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var buffer):
            body += buffer.readBytes(length: buffer.readableBytes) ?? []
        case .end:
            guard let head else { return }
            let request = TestHTTPServer.Request(
                method: head.method.rawValue, uri: head.uri, headers: head.headers.map { ($0.name, $0.value) }, body: body)
            recorded.withLockedValue { $0.append(request) }
            let keepAlive = head.isKeepAlive
            let reply = handler(request)
            if reply.delay > 0 {
                let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(reply.delay * 1000))) {
                    let (this, context) = loopBound.value
                    this.write(reply, keepAlive: keepAlive, context: context)
                }
            } else {
                write(reply, keepAlive: keepAlive, context: context)
            }
        }
    }

    private func write(_ reply: TestHTTPServer.Reply, keepAlive: Bool, context: ChannelHandlerContext) {
        defer { reply.onSent?() }
        if reply.dropConnection {
            context.close(promise: nil)
            return
        }
        var headers = HTTPHeaders(reply.headers)
        headers.replaceOrAdd(name: "Content-Length", value: String(reply.body.count))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: reply.body)))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
    }
}

/// A future that did not complete within its deadline, in a test.
public struct WaitTimeout: Error, CustomStringConvertible {
    public var description: String
}

extension EventLoopFuture {
    /// `wait()` with a deadline: a test never blocks forever on a bind or a close.
    public func wait(seconds: Double, doing what: String) throws -> Value {
        let done = DispatchSemaphore(value: 0)
        let outcome = NIOLockedValueBox<Result<Value, Error>?>(nil)
        whenComplete { result in
            outcome.withLockedValue { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success, let result = outcome.withLockedValue({ $0 }) else {
            throw WaitTimeout(description: "\(what) did not finish within \(seconds)s")
        }
        return try result.get()
    }
}
