import CaspioClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import PostgresNIO

/// The shared store on PostgreSQL: one connection per process, used by one operation at a
/// time (a transaction must not interleave with another task's statements), opened again
/// when it was lost. Its session also holds the run lock (`--lock`).
public final class PostgresStore: Sendable {
    public let url: StoreURL
    let configuration: PostgresConnection.Configuration
    /// Our warnings (never postgres-nio's own logs, which may show bound values).
    let logger: Logger
    let quiet = Logger(label: "caspio.store", factory: { _ in SwiftLogNoOpLogHandler() })
    private let connection = NIOLockedValueBox<PostgresConnection?>(nil)
    /// After a failed connect, others fail at once for a moment instead of each waiting.
    private let failedAt = NIOLockedValueBox<(ContinuousClock.Instant, CaspioError)?>(nil)
    private let gate = SerialGate()
    /// The run lock this process took (`--lock`): its name and key. A session lock goes with
    /// its connection, so a new connection takes it again.
    let runLock = NIOLockedValueBox<(name: String, key: Int64)?>(nil)

    init(url: StoreURL, configuration: PostgresConnection.Configuration, logger: Logger) {
        self.url = url
        self.configuration = configuration
        self.logger = logger
    }

    /// Connects and checks the schema, creating it when absent. Every failure is a config
    /// error that says what to check and that `--store file` is the way out.
    public static func open(
        _ setting: StoreSetting, environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
    ) async throws(CaspioError) -> (PostgresStore, Schema.Outcome) {
        guard let text = setting.url else { throw CaspioError(.config, "the store is this host's files, not PostgreSQL") }
        let url = try StoreURL.parse(text, origin: setting.origin, environment: environment)
        let password = PasswordLookup.password(for: url, setting: setting, environment: environment) { logger.warning("\($0)") }
        if let password { SecretRedactor.shared.register(password) }  // never in a log line, whatever prints it
        let store = PostgresStore(url: url, configuration: try Self.configuration(url, password: password), logger: logger)
        do {
            return (store, try await Schema.prepare(store))
        } catch {
            var error = error
            error.kind = .config
            error.isSetup = true
            if !error.message.contains("--store file") {
                error.message += "\nCheck the store setting (\(setting.origin)), that PostgreSQL accepts this host there, and its password (PGPASSWORD, ~/.pgpass or store_password_env/_file/_command); or run with --store file to keep tokens, locks and state on this host (each host then makes its own token grants)."
            }
            throw error
        }
    }

    /// Another PostgreSQL database than the store (a mirror's target), read as the store's URL
    /// is: libpq's defaults, TLS by sslmode, the password from the URL, PGPASSWORD or
    /// ~/.pgpass, and never shown.
    public static func connection(
        to text: String, origin: String, role: String, environment: [String: String], logger: Logger
    ) throws(CaspioError) -> (url: StoreURL, configuration: PostgresConnection.Configuration) {
        let url = try StoreURL.parse(text, origin: origin, role: role, environment: environment)
        let setting = StoreSetting(url: text, origin: origin)
        let password = PasswordLookup.password(for: url, setting: setting, environment: environment) { logger.warning("\($0)") }
        if let password { SecretRedactor.shared.register(password) }
        return (url, try configuration(url, password: password))
    }

    static func configuration(_ url: StoreURL, password: Secret?) throws(CaspioError) -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let directory = url.socketDirectory {
            configuration = .init(
                unixSocketPath: "\(directory)/.s.PGSQL.\(url.port)", username: url.user, password: password?.reveal(),
                database: url.database)
        } else {
            configuration = .init(
                host: url.host ?? "localhost", port: url.port, username: url.user, password: password?.reveal(),
                database: url.database, tls: try tls(url))
        }
        configuration.options.connectTimeout = .milliseconds(Int64(url.connectTimeout * 1000))
        return configuration
    }

    /// libpq's sslmode: prefer and require encrypt without checking the certificate,
    /// verify-ca checks the chain, verify-full the host name too.
    private static func tls(_ url: StoreURL) throws(CaspioError) -> PostgresConnection.Configuration.TLS {
        guard url.sslMode != .disable else { return .disable }
        var tls = TLSConfiguration.makeClientConfiguration()
        switch url.sslMode {
        case .verifyFull: tls.certificateVerification = .fullVerification
        case .verifyCA: tls.certificateVerification = .noHostnameVerification
        default: tls.certificateVerification = .none
        }
        if let root = url.sslRootCert { tls.trustRoots = .file(root) }
        do {
            let context = try NIOSSLContext(configuration: tls)
            return url.sslMode == .allow || url.sslMode == .prefer ? .prefer(context) : .require(context)
        } catch {
            throw CaspioError(.config, "cannot set up TLS for the store \(url.display) (sslrootcert \(url.sslRootCert ?? "none")): \(error)")
        }
    }

    /// Runs `body` on the connection, alone; reconnects first if the connection was lost.
    func withConnection<T>(_ body: (PostgresConnection) async throws -> T) async throws(CaspioError) -> T {
        await gate.acquire()
        defer { gate.release() }
        let connection = try await current()
        do {
            return try await body(connection)
        } catch let error as CaspioError {
            throw error
        } catch {
            throw describe(error)
        }
    }

    /// `body` inside BEGIN … COMMIT; any error rolls back (a lost connection does so itself).
    func transaction<T>(_ body: (PostgresConnection) async throws -> T) async throws(CaspioError) -> T {
        try await withConnection { connection in
            try await connection.query("BEGIN", logger: quiet)
            do {
                let value = try await body(connection)
                try await connection.query("COMMIT", logger: quiet)
                return value
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: quiet)
                throw error
            }
        }
    }

    private func current() async throws(CaspioError) -> PostgresConnection {
        if let open = connection.withLockedValue({ $0 }), !open.isClosed { return open }
        if let failed = failedAt.withLockedValue({ $0 }), failed.0.duration(to: .now) < .seconds(2) { throw failed.1 }
        // Mid-run (a connection existed), a reconnect waits at most 2 s: every request that
        // comes while the store is away would otherwise wait the whole connect timeout.
        var attempt = configuration
        if connection.withLockedValue({ $0 != nil }) { attempt.options.connectTimeout = min(attempt.options.connectTimeout, .seconds(2)) }
        do {
            let made = try await PostgresConnection.connect(configuration: attempt, id: 1, logger: quiet)
            connection.withLockedValue { $0 = made }
            failedAt.withLockedValue { $0 = nil }
            watch(made)
            await retakeRunLock(on: made)
            return made
        } catch {
            let described = describe(error)
            failedAt.withLockedValue { $0 = (.now, described) }
            throw described
        }
    }

    /// A lost connection loses the run lock with it: say so, since another host may start.
    private func watch(_ made: PostgresConnection) {
        made.closeFuture.whenComplete { [self] _ in
            guard let lock = runLock.withLockedValue({ $0 }) else { return }
            logger.warning("the connection to the store \(url.display) was lost, and with it the run lock '\(lock.name)': another host may start this job until the store is back and this run takes the lock again")
        }
    }

    /// After a reconnect, takes the run lock again, at once or never: a host that started
    /// this job while the store was away holds it now, and both runs are under way.
    private func retakeRunLock(on made: PostgresConnection) async {
        guard let lock = runLock.withLockedValue({ $0 }) else { return }
        var taken = false
        do {
            let rows = try await made.query("SELECT pg_try_advisory_lock(\(lock.key))", logger: quiet)
            for try await value in rows.decode(Bool.self) { taken = value }
        } catch {
            logger.warning("the store \(url.display) is back, but taking the run lock '\(lock.name)' again failed: \(describe(error).message)")
            return
        }
        if taken {
            logger.warning("the store \(url.display) is back, and this run holds the lock '\(lock.name)' again")
        } else {
            runLock.withLockedValue { $0 = nil }
            logger.warning("the store \(url.display) is back, but another run took the lock '\(lock.name)' while it was away: two runs of this job are under way")
        }
    }

    /// Closes the connection (the run lock goes with it).
    public func close() async {
        runLock.withLockedValue { $0 = nil }
        guard let open = connection.withLockedValue({ $0 }) else { return }
        try? await open.close()
    }

    /// A driver error as a message that names the store (never its password).
    func describe(_ error: any Error) -> CaspioError {
        guard let error = error as? PSQLError else {
            return CaspioError(.network, "the store \(url.display) (\(url.endpoint)): \(error)")
        }
        let message = error.serverInfo?[.message] ?? ""
        let state = error.serverInfo?[.sqlState] ?? ""
        switch error.code {
        case .server where state.hasPrefix("28"):
            return CaspioError(.config, "the store \(url.display) refused the user \(url.user): \(message)")
        case .server where state == "3D000":
            return CaspioError(.config, "the store \(url.display) has no database '\(url.database)': \(message)")
        case .server:
            return CaspioError(.network, "the store \(url.display) answered: \(message) (SQLSTATE \(state))")
        case .authMechanismRequiresPassword:
            return CaspioError(.config, "the store \(url.display) asks for a password for the user \(url.user), and none was found")
        case .sslUnsupported:
            return CaspioError(.config, "the store \(url.display) does not offer TLS, which sslmode=\(url.sslMode.rawValue) requires")
        case .connectionError:
            return CaspioError(.network, "cannot connect to the store \(url.display) (\(url.endpoint)): \(reason(error.underlying))")
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
            return CaspioError(.network, "the connection to the store \(url.display) (\(url.endpoint)) was lost")
        default:
            return CaspioError(.network, "the store \(url.display) (\(url.endpoint)): \(error.code)")
        }
    }

    private func reason(_ underlying: (any Error)?) -> String {
        guard let underlying else { return "no connection" }
        let text = "\(underlying)"
        if text.lowercased().contains("refused") { return "connection refused" }
        if text.lowercased().contains("timeout") || text.lowercased().contains("timed out") { return "timed out" }
        if text.contains("No such file") || text.contains("ENOENT") { return "no server listens there" }
        return String(text.prefix(200))
    }
}

/// One operation at a time on the connection, in the order they came (an async mutex).
final class SerialGate: Sendable {
    private let state = NIOLockedValueBox<(busy: Bool, waiting: [CheckedContinuation<Void, Never>])>((false, []))

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = state.withLockedValue { state -> Bool in
                if !state.busy {
                    state.busy = true
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if free { continuation.resume() }
        }
    }

    func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
