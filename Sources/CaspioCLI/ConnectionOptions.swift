import ArgumentParser
import CaspioClient
import CaspioModule
import Foundation
import Logging
import CaspioSandbox
import CaspioStore

/// Flags that choose and override the account; each also has an environment variable.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "Profile of the config file (CASPIO_PROFILE).")
    var profile: String?

    @Option(help: "Caspio account id, e.g. c1abc123 (CASPIO_ACCOUNT).")
    var account: String?

    @Option(help: "Resource endpoint URL, v2 or v3 (CASPIO_BASE_URL).")
    var baseURL: String?

    @Option(help: "Token endpoint URL (CASPIO_TOKEN_URL).")
    var tokenURL: String?

    @Option(help: "Extra trusted CA certificates, PEM (CASPIO_CA_FILE).")
    var caFile: String?

    @Option(help: "Token cache directory, or off (CASPIO_TOKEN_CACHE).")
    var tokenCache: String?

    @Option(help: "Where tokens, --lock, caspio.state and the usage ledger live: file, or a PostgreSQL URL that several hosts share (CASPIO_STORE).")
    var store: String?

    @Option(help: "Stop with a budget error before request N+1 (CASPIO_MAX_REQUESTS).")
    var maxRequests: Int?

    @Option(help: "Space requests to at most N per second across the run, e.g. 6 (CASPIO_RATE).")
    var rate: Double?

    @Option(help: "Stop before the account's request N+1 of the day, all runs counted (CASPIO_MAX_REQUESTS_PER_DAY).")
    var maxRequestsPerDay: Int?

    @Option(help: "Stop before the account's request N+1 of the billing period (CASPIO_MAX_REQUESTS_PER_PERIOD).")
    var maxRequestsPerPeriod: Int?

    @Option(help: "The account's clock for the ledger's days and billing periods: an IANA zone or an offset like -07:00 (CASPIO_BILLING_TIME_ZONE).")
    var billingTimeZone: String?

    @Option(help: "Name the acting user in Caspio's audit log: every request sends `Principal: NAME` (CASPIO_PRINCIPAL).")
    var principal: String?

    @Flag(name: [.short, .long], help: "Log each request and token renewal to stderr.")
    var verbose = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error (CASPIO_LOG_LEVEL).")
    var logLevel: String?

    @Option(help: "Log format: text or json (CASPIO_LOG_FORMAT).")
    var logFormat: String?

    @Flag(help: "Use a sandbox started in this process with the demo data instead of an account (see `caspio sandbox`).")
    var sandbox = false

    func validate() throws {
        do { try overrides.validate() } catch { throw ValidationError(error.message) }
    }

    /// With --sandbox, starts one in this process (blocking until it listens) and returns it
    /// with the environment that points the client at it; without, nil.
    func startSandbox() throws -> (RunningSandbox, [String: String])? {
        guard sandbox else { return nil }
        do {
            let running = try InProcessSandbox.start()
            return (running, InProcessSandbox.environment(for: running))
        } catch {
            printError("--sandbox: \(error)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
    }

    var overrides: ConfigurationOverrides {
        var overrides = ConfigurationOverrides()
        overrides.profile = profile
        overrides.account = account
        overrides.baseURL = baseURL
        overrides.tokenURL = tokenURL
        overrides.caFile = caFile
        overrides.tokenCache = tokenCache
        overrides.maxRequests = maxRequests
        overrides.rate = rate
        overrides.maxRequestsPerDay = maxRequestsPerDay
        overrides.maxRequestsPerPeriod = maxRequestsPerPeriod
        overrides.billingTimeZone = billingTimeZone
        overrides.principal = principal
        overrides.store = store
        return overrides
    }

    func makeLogger() throws(CaspioError) -> Logger {
        let environment = ProcessInfo.processInfo.environment
        let levelText = logLevel ?? environment["CASPIO_LOG_LEVEL"] ?? (verbose ? "debug" : "warning")
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw CaspioError(.config, "log level '\(levelText)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        let formatText = logFormat ?? environment["CASPIO_LOG_FORMAT"] ?? "text"
        guard let format = StderrLogHandler.Format(rawValue: formatText.lowercased()) else {
            throw CaspioError(.config, "log format '\(formatText)' is not one of text, json")
        }
        ErrorOutput.json = format == .json
        return Logger(label: "caspio") { label in StderrLogHandler(label: label, level: level, format: format) }
    }

    /// The module's context: the client is made on first use, with these options.
    /// `environment` replaces the process's, e.g. with a `--sandbox`'s settings.
    /// `scriptName` is what the usage ledger files the run's requests under.
    /// `state`, when given, replaces the state file (a shared store's).
    func makeModuleContext(
        statePath: String? = nil, state: (any ScriptStateStore)? = nil, environment: [String: String]? = nil, scriptName: String? = nil
    ) throws -> ModuleContext {
        let logger: Logging.Logger
        do { logger = try makeLogger() } catch {
            printError(error.description)
            throw ExitCode(error.exitStatus.rawValue)
        }
        let overrides = overrides(for: environment, scriptName: scriptName)
        let resolverEnvironment = environment ?? ProcessInfo.processInfo.environment
        return ModuleContext(logger: logger, statePath: statePath, state: state) { [overrides, self] () throws(CaspioError) -> CaspioClient in
            let configuration = try ConfigurationResolver(environment: resolverEnvironment, overrides: overrides).resolve()
            let stores = try openStore(environment: environment)?.sharedStores(for: configuration)
            return try CaspioClient(configuration: configuration, logger: logger, stores: stores)
        }
    }

    /// The overrides for a client of `environment` (a `--sandbox`'s settings when given): the
    /// sandbox decides where to connect, so flags naming an account would contradict it.
    func overrides(for environment: [String: String]?, scriptName: String? = nil) -> ConfigurationOverrides {
        var overrides = overrides
        overrides.scriptName = scriptName
        if environment != nil {
            (overrides.profile, overrides.account, overrides.baseURL, overrides.tokenURL, overrides.caFile, overrides.tokenCache) = (nil, nil, nil, nil, nil, nil)
        }
        return overrides
    }

    /// `environment` replaces the process's, e.g. with a `--sandbox`'s settings.
    func makeClient(environment: [String: String]? = nil, scriptName: String? = nil) throws(CaspioError) -> CaspioClient {
        let overrides = overrides(for: environment, scriptName: scriptName)
        let configuration = try ConfigurationResolver(
            environment: environment ?? ProcessInfo.processInfo.environment, overrides: overrides
        ).resolve()
        let stores = try openStore(environment: environment)?.sharedStores(for: configuration)
        return try CaspioClient(configuration: configuration, logger: try makeLogger(), stores: stores)
    }
}

extension CaspioError {
    /// The exit status for an error that ends the run.
    var exitStatus: ExitStatus {
        switch kind {
        case .config: .usage
        case .auth: .authentication
        case .budget: .budget
        case .http: .httpError
        case .network: .scriptError
        case .timeout: .timeout
        }
    }
}
