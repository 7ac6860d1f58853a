import CaspioSandbox
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Caspio for tests: the sandbox (`CaspioSandbox`, the one emulator) serving in this process on
/// 127.0.0.1 and a free port, with knobs in a middleware around it: scripted answers or faults
/// for chosen requests, added latency, requests in flight (now and at most), and a log of every
/// request with its secrets masked. No globals: each test starts its own, in parallel if it likes.
///
/// The sandbox's defaults for tests apply (`SandboxSettings()`: unordered reads in key order,
/// no rate limit), without the demo tables; `configure` changes them, e.g. `$0.shuffleUnordered = true` or
/// `$0.rateLimit = …` for the account limiter.
public final class EmulatedCaspio: Sendable {
    public let running: RunningSandbox
    private let knobs: NIOLockedValueBox<Knobs>

    /// `clock`: what token lifetimes and the rate limit are measured with (a `TestClock`'s, to
    /// run them in virtual time).
    public static func start(
        clock: SandboxClock = .real, _ configure: (inout SandboxSettings) -> Void = { _ in }
    ) async throws -> EmulatedCaspio {
        var settings = SandboxSettings()
        settings.demoSeed = false  // each test seeds what it needs
        configure(&settings)
        let knobs = NIOLockedValueBox(Knobs())
        let running = try await RunningSandbox.start(
            settings, middleware: [KnobsMiddleware(knobs: knobs)], executor: OwnThreads(), clock: clock)
        let sandbox = running.sandbox
        knobs.withLockedValue {
            $0.revoke = { refreshTokensToo in
                sandbox.revokeAccessTokens()
                if refreshTokensToo { sandbox.revokeRefreshTokens() }
            }
        }
        return EmulatedCaspio(running: running, knobs: knobs)
    }

    private init(running: RunningSandbox, knobs: NIOLockedValueBox<Knobs>) {
        self.running = running
        self.knobs = knobs
    }

    /// Stops serving once the test lets go of it (`stop()` to wait for that).
    deinit {
        let running = running
        Task { await running.stop() }
    }

    /// Stops serving and waits until the server has closed.
    public func stop() async { await running.stop() }

    public var sandbox: Sandbox { running.sandbox }
    public var settings: SandboxSettings { running.sandbox.settings }
    public var origin: String { running.origin }
    public var baseURL: String { running.baseURL }
    public var tokenURL: String { running.tokenURL }

    /// Environment variables that point `caspio` at this sandbox.
    public func environment(cacheDirectory: String?) -> [String: String] { environment(cacheDirectory: cacheDirectory, caFile: nil) }

    // MARK: What was asked

    /// Every request in the order received; `Authorization` values and the token form's
    /// secrets are masked (see `Masked`).
    public var requests: [TestHTTPServer.Request] { knobs.withLockedValue { $0.log } }
    public var tokenRequests: [TestHTTPServer.Request] { requests.filter { $0.path == "/oauth/token" } }
    /// Requests to the API (neither the token endpoint nor `/_sandbox`).
    public var resourceRequests: [TestHTTPServer.Request] { requests.filter { Self.isResource($0.path) } }
    /// Forgets the requests logged so far.
    public func clearRequests() { knobs.withLockedValue { $0.log.removeAll() } }
    public var grants: [String: Int] { sandbox.grants }
    public var grantCount: Int { grants.values.reduce(0, +) }
    /// API requests received and not yet answered, now and at most.
    public var inFlight: Int { knobs.withLockedValue { $0.inFlight } }
    public var maxInFlight: Int { knobs.withLockedValue { $0.maxInFlight } }

    public static func isResource(_ path: String) -> Bool { path != "/oauth/token" && !path.hasPrefix("/_sandbox") }

    // MARK: Knobs

    /// Answers the next requests that `match` accepts with `replies`, in order, instead of the
    /// sandbox (before its token check: a scripted fault needs no valid token). By default
    /// only API requests match.
    public func script(_ replies: [TestHTTPServer.Reply], when match: @escaping @Sendable (TestHTTPServer.Request) -> Bool = { isResource($0.path) }) {
        knobs.withLockedValue { $0.scripts.append(Script(match: match, replies: replies, repeating: false)) }
    }

    /// Answers every request that `match` accepts with `reply`, from now on.
    public func always(_ reply: TestHTTPServer.Reply, when match: @escaping @Sendable (TestHTTPServer.Request) -> Bool) {
        knobs.withLockedValue { $0.scripts.append(Script(match: match, replies: [reply], repeating: true)) }
    }

    /// Seconds to wait before answering each API request (chosen per request), so that
    /// concurrent requests overlap at the server; see `maxInFlight`.
    public func delay(_ seconds: @escaping @Sendable (TestHTTPServer.Request) -> Double) {
        knobs.withLockedValue { $0.latency = seconds }
    }

    /// Seconds to wait before answering the token endpoint, so that concurrent requests pile
    /// up on one grant or renewal.
    public func delayTokens(_ seconds: Double) { knobs.withLockedValue { $0.tokenDelay = seconds } }

    /// Revokes the access tokens (and refresh tokens too, if asked) once `count` more API
    /// requests have been answered: a token that dies between two pages of a script.
    public func revokeTokens(afterRequests count: Int, refreshTokensToo: Bool = false) {
        knobs.withLockedValue { $0.revokeAfter = ($0.resourceCount + count, refreshTokensToo) }
    }

    /// How the token endpoint's successful answers are reshaped, as other OAuth servers (or
    /// Caspio on a bad day) send them; see `TokenAnswers`.
    public func tokenAnswers(_ answers: TokenAnswers) { knobs.withLockedValue { $0.tokenAnswers = answers } }

    /// Revokes every access token now (refresh tokens stay).
    public func revokeAccessTokens() { sandbox.revokeAccessTokens() }
    public func revokeRefreshTokens() { sandbox.revokeRefreshTokens() }

    /// A secret as the request log shows it (`requests`): equal secrets look equal.
    public static func masked(_ secret: String) -> String { Masked.fingerprint(secret) }

    // MARK: Data

    /// Makes `table` with `fields` (name and Caspio type, e.g. `("Name", "STRING")`) and no rows.
    public func createTable(_ table: String, fields: [(String, String)]) throws {
        // Caspio requires generated keys to be declared unique.
        let list = fields.map { #"{"Name":"\#($0.0)","Type":"\#($0.1)","Unique":\#(["AUTONUMBER", "GUID", "RANDOM ID"].contains($0.1))}"# }
            .joined(separator: ",")
        try sandbox.seed(json: #"{"Tables":[{"Name":"\#(table)","Fields":[\#(list)]}]}"#)
    }

    /// Makes a view of one table showing `fields` of it; the view names them `TABLE_FIELD`.
    public func createView(_ name: String, of table: String, fields: [String]) throws {
        let list = fields.map { #""\#(table).\#($0)""# }.joined(separator: ",")
        try sandbox.seed(json: #"{"Views":[{"Name":"\#(name)","Tables":["\#(table)"],"Fields":[\#(list)]}]}"#)
    }

    /// Adds `count` rows `{PK_ID, Name: "row i", N: i}` to `table` (made if missing: PK_ID
    /// AUTONUMBER, Name STRING, N INTEGER).
    /// `extra` adds the same values to each row (its fields must exist: see `createTable`).
    public func seed(_ table: String, count: Int, extra: [String: any Sendable] = [:]) throws {
        let start = try hasRows(table)
        let rows = (0..<count).map { i in (["Name": "row \(start + i + 1)", "N": start + i + 1] as [String: Any]).merging(extra) { $1 } }
        let rowsJSON = String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]), as: UTF8.self)
        if try !sandbox.hasTable(table) { try createTable(table, fields: [("PK_ID", "AUTONUMBER"), ("Name", "STRING"), ("N", "INTEGER")]) }
        try sandbox.insert(rowsJSON: rowsJSON, into: table)
    }

    private func hasRows(_ table: String) throws -> Int { try sandbox.hasTable(table) ? try rows(table).count : 0 }

    /// Every row of `table` in key order, values as JSONSerialization gives them.
    public func rows(_ table: String) throws -> [[String: Any]] {
        let data = Data(try sandbox.rowsJSON(of: table).utf8)
        return try JSONSerialization.jsonObject(with: data) as? [[String: Any]] ?? []
    }

    // MARK: The middleware

    public struct TokenAnswers: Sendable {
        /// `token_type` as given (e.g. `BeArEr`); nil keeps the sandbox's.
        public var tokenType: String? = nil
        /// Leave `expires_in` out (the lifetime unknown to the client; the token lives as the
        /// sandbox's `tokenTTL` says).
        public var omitExpiresIn = false
        public init(tokenType: String? = nil, omitExpiresIn: Bool = false) {
            self.tokenType = tokenType
            self.omitExpiresIn = omitExpiresIn
        }
    }

    struct Script {
        var match: @Sendable (TestHTTPServer.Request) -> Bool
        var replies: [TestHTTPServer.Reply]
        var repeating: Bool
    }

    struct Knobs {
        var log: [TestHTTPServer.Request] = []
        var scripts: [Script] = []
        var latency: (@Sendable (TestHTTPServer.Request) -> Double)? = nil
        var tokenDelay: Double = 0
        var inFlight = 0
        var maxInFlight = 0
        /// API requests received, and when to revoke tokens (after which count; refresh tokens too?).
        var resourceCount = 0
        var revokeAfter: (count: Int, refreshTokensToo: Bool)? = nil
        var revoke: (@Sendable (Bool) -> Void)? = nil
        var tokenAnswers = TokenAnswers()

        /// Revokes the tokens if the request just answered was the last one allowed them.
        mutating func revokeIfDue() -> (@Sendable () -> Void)? {
            guard let due = revokeAfter, resourceCount >= due.count, let revoke else { return nil }
            revokeAfter = nil
            return { revoke(due.refreshTokensToo) }
        }

        /// The scripted answer for `request`, if any, used up unless it repeats.
        mutating func scripted(_ request: TestHTTPServer.Request) -> TestHTTPServer.Reply? {
            guard let index = scripts.firstIndex(where: { !$0.replies.isEmpty && $0.match(request) }) else { return nil }
            if scripts[index].repeating { return scripts[index].replies[0] }
            return scripts[index].replies.removeFirst()
        }
    }

    struct KnobsMiddleware: RouterMiddleware {
        typealias Context = BasicRequestContext
        let knobs: NIOLockedValueBox<Knobs>

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024 * 1024)
            let seen = TestHTTPServer.Request(
                method: request.method.rawValue, uri: request.uri.description,
                headers: request.headers.map { ($0.name.canonicalName, $0.value) }, body: Array(buffer: body))
            let resource = EmulatedCaspio.isResource(seen.path)
            let (scripted, latency, tokenDelay, tokenAnswers) = knobs.withLockedValue { k in
                k.log.append(Masked.request(seen))
                if resource {
                    k.resourceCount += 1
                    k.inFlight += 1
                    k.maxInFlight = max(k.maxInFlight, k.inFlight)
                }
                let token = seen.path == "/oauth/token"
                return (k.scripted(seen), resource ? k.latency : nil, token ? k.tokenDelay : 0, token ? k.tokenAnswers : nil)
            }
            defer {
                if resource {
                    let revoke = knobs.withLockedValue { k in
                        k.inFlight -= 1
                        return k.revokeIfDue()
                    }
                    revoke?()
                }
            }
            let pause = max(scripted?.delay ?? 0, latency?(seen) ?? 0, tokenDelay)
            if pause > 0 { try await Task.sleep(nanoseconds: UInt64(pause * 1e9)) }
            guard let scripted else {
                let response = try await next(request, context)
                guard let tokenAnswers else { return response }
                return try await Self.reshape(response, tokenAnswers)
            }
            precondition(!scripted.dropConnection, "EmulatedCaspio cannot drop a connection: use FaultyServer")
            var fields = HTTPFields()
            for (name, value) in scripted.headers + [("X-Caspio-Request-ID", UUID().uuidString.lowercased())] {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            scripted.onSent?()
            return Response(status: .init(code: scripted.status), headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: scripted.body)))
        }

        /// A successful token answer with its fields rewritten as `answers` say. (A skewed
        /// `Date` is a front's to send, `FaultyServer.Fault.forwardSkewingDate`: the HTTP server
        /// sets the header after every middleware.)
        static func reshape(_ response: Response, _ answers: TokenAnswers) async throws -> Response {
            var response = response
            guard response.status == .ok, answers.tokenType != nil || answers.omitExpiresIn else { return response }
            let collected = Collected()
            try await response.body.write(collected)
            guard var object = try JSONSerialization.jsonObject(with: Data(collected.bytes.withLockedValue { $0 })) as? [String: Any] else {
                return response
            }
            if let type = answers.tokenType { object["token_type"] = type }
            if answers.omitExpiresIn { object["expires_in"] = nil }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            response.headers[.contentLength] = String(data.count)
            response.body = .init(byteBuffer: ByteBuffer(bytes: data))
            return response
        }
    }
}

/// A response body read whole (the sandbox's answers are small).
final class Collected: ResponseBodyWriter, Sendable {
    let bytes = NIOLockedValueBox<[UInt8]>([])
    func write(_ buffer: ByteBuffer) async throws { bytes.withLockedValue { $0 += Array(buffer: buffer) } }
    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Runs the emulator's handlers on Dispatch's threads, not Swift's cooperative pool: tests wait
/// for a spawned `caspio` by blocking their thread, and with two of them doing so on two cores
/// the pool would have no thread left to answer that `caspio`.
final class OwnThreads: TaskExecutor {
    private let queue = DispatchQueue(label: "emulated-caspio", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        queue.async { job.runSynchronously(on: executor) }
    }
}

/// Secrets kept out of the request log (and so out of test output): credentials become a
/// short fingerprint, which still tells two apart.
enum Masked {
    static func request(_ request: TestHTTPServer.Request) -> TestHTTPServer.Request {
        var masked = request
        masked.headers = request.headers.map { name, value in
            guard name.lowercased() == "authorization" else { return (name, value) }
            let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
            return (name, parts.count == 2 ? parts[0] + " " + fingerprint(parts[1]) : fingerprint(value))
        }
        if request.path == "/oauth/token" {
            let secret: Set = ["client_secret", "refresh_token"]
            let pairs = request.bodyText.split(separator: "&").map { pair -> String in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, secret.contains(parts[0]) else { return String(pair) }
                return parts[0] + "=" + fingerprint(parts[1])
            }
            masked.body = Array(pairs.joined(separator: "&").utf8)
        }
        return masked
    }

    /// `#` and eight hex digits of FNV-1a: equal secrets look equal, none can be read back.
    static func fingerprint(_ secret: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in secret.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return "#" + String(format: "%08x", hash)
    }
}
