import Foundation
import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A misbehaving HTTP server on 127.0.0.1 and an ephemeral port, for tests of what the client
/// does under faults. It stands in front of a real server (`upstream`, e.g. an `EmulatedCaspio`)
/// and decides, request by request, to pass it on or to misbehave. Every request is recorded.
public final class FaultyServer: Sendable {
    public enum Fault: Sendable {
        /// Pass the request to the upstream server and its answer back.
        case forward
        /// This answer, at once.
        case reply(TestHTTPServer.Reply)
        /// Read the request and never answer; the connection stays open.
        case hang
        /// The head at once (with the full Content-Length), then one byte of `body` every
        /// `every` seconds.
        case drip(status: Int, body: [UInt8], every: Double)
        /// Close the connection without answering.
        case close
        /// The head claims `claimed` bytes; `body` is sent, then the connection closes.
        case truncate(status: Int, body: [UInt8], claimed: Int)
        /// The upstream server gets (and applies) the request; the client gets `then` instead
        /// of its answer (a 503 after the row was written, a dropped connection).
        case forwardThenFail(then: Failure)
        /// The request itself (its body, a blank line, the request line and headers) as the
        /// body of a `status` answer, as some token endpoints do in their errors.
        case echo(status: Int)
        /// A `status` (3xx) answer with this `Location` and no body.
        case redirect(status: Int, location: String)
        /// A chunked body of `chunk` repeated for ever, as fast as the client reads.
        case endless(status: Int, chunk: [UInt8])
        /// Pass the request on; its answer's `Date` says the server's clock is `seconds` off
        /// the real time (the account's clock skewed against this machine's).
        case forwardSkewingDate(seconds: Double)
    }

    public enum Failure: Sendable {
        case status(Int)
        case close
    }

    public typealias Decide = @Sendable (TestHTTPServer.Request) -> Fault

    private let channel: Channel
    private let children = NIOLockedValueBox<[Channel]>([])
    private let recorded = NIOLockedValueBox<[TestHTTPServer.Request]>([])
    public let port: Int

    /// `upstream` is an origin (`http://127.0.0.1:PORT`) for `.forward`; nil answers those 502.
    /// `tls` makes it HTTPS (the upstream stays plain HTTP).
    public init(tls: TestCertificates? = nil, upstream: String? = nil, decide: @escaping Decide) throws {
        let sslContext = try tls.map { try NIOSSLContext(configuration: $0.serverConfiguration()) }
        let (recorded, children) = (recorded, children)
        let upstreamPort = upstream.flatMap { URL(string: $0)?.port }
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                children.withLockedValue { $0.append(channel) }
                return channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(
                        FaultHandler(decide: decide, recorded: recorded, upstreamPort: upstreamPort))
                }
            }
        channel = try bootstrap.bind(host: "127.0.0.1", port: 0).wait(seconds: 10, doing: "binding 127.0.0.1")
        port = channel.localAddress?.port ?? 0
        scheme = tls == nil ? "http" : "https"
    }

    public let scheme: String
    /// `http(s)://127.0.0.1:PORT`
    public var origin: String { "\(scheme)://127.0.0.1:\(port)" }
    public var requests: [TestHTTPServer.Request] { recorded.withLockedValue { $0 } }

    /// Stops listening and closes every connection (hung ones included).
    public func shutdown() {
        for child in children.withLockedValue({ $0 }) { child.close(promise: nil) }
        try? channel.close().wait(seconds: 10, doing: "closing the faulty server")
    }

    deinit {
        for child in children.withLockedValue({ $0 }) { child.close(promise: nil) }
        channel.close(promise: nil)
    }
}

private final class FaultHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let decide: FaultyServer.Decide
    let recorded: NIOLockedValueBox<[TestHTTPServer.Request]>
    let upstreamPort: Int?
    var head: HTTPRequestHead?
    var body: [UInt8] = []

    init(decide: @escaping FaultyServer.Decide, recorded: NIOLockedValueBox<[TestHTTPServer.Request]>, upstreamPort: Int?) {
        self.decide = decide
        self.recorded = recorded
        self.upstreamPort = upstreamPort
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
            act(decide(request), request, context)
        }
    }

    private func act(_ fault: FaultyServer.Fault, _ request: TestHTTPServer.Request, _ context: ChannelHandlerContext) {
        switch fault {
        case .reply(let reply):
            write(reply.status, reply.headers, reply.body, context)
        case .hang:
            break
        case .close:
            context.close(promise: nil)
        case .echo(let status):
            var text = "\n\n\(request.method) \(request.uri) HTTP/1.1\n"
            for (name, value) in request.headers { text += "\(name): \(value)\n" }
            write(status, [("Content-Type", "text/plain")], request.body + Array(text.utf8), context)
        case .redirect(let status, let location):
            write(status, [("Location", location)], [], context)
        case .truncate(let status, let body, let claimed):
            writeHead(status, [("Content-Length", String(claimed))], context)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
            context.flush()
            context.close(promise: nil)
        case .drip(let status, let body, let every):
            writeHead(status, [("Content-Length", String(body.count))], context)
            context.flush()
            drip(body[...], every: every, context)
        case .endless(let status, let chunk):
            writeHead(status, [("Content-Type", "application/json")], context)
            pour(ByteBuffer(bytes: chunk), context)
        case .forward, .forwardThenFail, .forwardSkewingDate:
            forward(request, context) { this, context, answer in
                switch (fault, answer) {
                case (.forwardSkewingDate(let seconds), let answer?):
                    let date = httpDate(Date().addingTimeInterval(seconds))
                    this.write(answer.status, answer.headers.filter { $0.0.lowercased() != "date" } + [("Date", date)], answer.body, context)
                case (.forwardThenFail(.status(let status)), _):
                    this.write(status, [("Content-Type", "text/plain")], Array("Service Unavailable".utf8), context)
                case (.forwardThenFail(.close), _):
                    context.close(promise: nil)
                case (_, let answer?):
                    this.write(answer.status, answer.headers, answer.body, context)
                case (_, nil):
                    this.write(502, [], Array("the upstream server did not answer".utf8), context)
                }
            }
        }
    }

    private func writeHead(_ status: Int, _ headers: [(String, String)], _ context: ChannelHandlerContext) {
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: HTTPHeaders(headers))
        context.write(wrapOutboundOut(.head(head)), promise: nil)
    }

    private func write(_ status: Int, _ headers: [(String, String)], _ body: [UInt8], _ context: ChannelHandlerContext) {
        var fields = HTTPHeaders(headers.filter { !["content-length", "transfer-encoding", "connection"].contains($0.0.lowercased()) })
        fields.replaceOrAdd(name: "Content-Length", value: String(body.count))
        writeHead(status, fields.map { ($0.name, $0.value) }, context)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func drip(_ rest: ArraySlice<UInt8>, every: Double, _ context: ChannelHandlerContext) {
        guard let byte = rest.first else {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            return
        }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.eventLoop.scheduleTask(in: .milliseconds(Int64(every * 1000))) {
            let (this, context) = bound.value
            guard context.channel.isActive else { return }
            context.writeAndFlush(this.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: [byte])))), promise: nil)
            this.drip(rest.dropFirst(), every: every, context)
        }
    }

    /// The next chunk once the last one is out, so that the server's memory stays flat.
    private func pour(_ chunk: ByteBuffer, _ context: ChannelHandlerContext) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(chunk)))).whenSuccess {
            let (this, context) = bound.value
            if context.channel.isActive { this.pour(chunk, context) }
        }
    }

    /// Sends the request upstream on another thread (a blocking exchange with
    /// `Connection: close`) and continues on the event loop with the answer, nil if none.
    private func forward(
        _ request: TestHTTPServer.Request, _ context: ChannelHandlerContext,
        then: @escaping @Sendable (FaultHandler, ChannelHandlerContext, TestHTTPServer.Reply?) -> Void
    ) {
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let (port, loop) = (upstreamPort, context.eventLoop)
        DispatchQueue.global().async {
            let answer = port.flatMap { UpstreamExchange.send(request, port: $0) }
            loop.execute {
                let (this, context) = bound.value
                then(this, context, answer)
            }
        }
    }
}

/// One blocking HTTP/1.1 exchange with a server on 127.0.0.1, for forwarding.
enum UpstreamExchange {
    static func send(_ request: TestHTTPServer.Request, port: Int) -> TestHTTPServer.Reply? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        var text = "\(request.method) \(request.uri) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
        for (name, value) in request.headers
        where !["host", "connection", "content-length", "transfer-encoding"].contains(name.lowercased()) {
            text += "\(name): \(value)\r\n"
        }
        text += "Content-Length: \(request.body.count)\r\nConnection: close\r\n\r\n"
        let outgoing = Array(text.utf8) + request.body
        var sent = 0
        while sent < outgoing.count {
            let n = outgoing[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { return nil }
            sent += n
        }
        var incoming: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            incoming += buffer[..<n]
        }
        return parse(incoming)
    }

    /// A `Connection: close` answer: status line, headers, and the rest (chunked decoded).
    static func parse(_ bytes: [UInt8]) -> TestHTTPServer.Reply? {
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else { return nil }
        let lines = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        guard let statusText = lines.first?.split(separator: " ").dropFirst().first, let status = Int(statusText) else { return nil }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(bytes[(end + 4)...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            body = dechunk(body)
        }
        return TestHTTPServer.Reply(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ bytes: [UInt8]) -> [UInt8] {
        var (out, index) = ([UInt8](), 0)
        while index < bytes.count {
            guard let lineEnd = (index..<bytes.count - 1).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 }) else { break }
            let sizeText = String(decoding: bytes[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            out += bytes[start..<min(bytes.count, start + size)]
            index = start + size + 2
        }
        return out
    }
}

/// RFC 9110's IMF-fixdate, as a `Date` header.
func httpDate(_ date: Date) -> String {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "GMT")
    formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
    return formatter.string(from: date)
}
