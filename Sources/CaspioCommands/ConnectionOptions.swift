import ArgumentParser
import CaspioClient
import CaspioModule
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import CaspioSandbox
import CaspioStore

/// Flags that choose and override the account; each also has an environment variable.
struct ConnectionOptions: ParsableArguments {
    @Option(help: ArgumentHelp(Setting.profile.help("Profile of the config file")))
    var profile: String?

    @Option(help: ArgumentHelp(Setting.account.help("Caspio account id, e.g. c1abc123")))
    var account: String?

    @Option(help: ArgumentHelp(Setting.baseURL.help("Resource endpoint URL, v2 or v3")))
    var baseURL: String?

    @Option(help: ArgumentHelp(Setting.tokenURL.help("Token endpoint URL")))
    var tokenURL: String?

    @Option(help: ArgumentHelp(Setting.caFile.help("Extra trusted CA certificates, PEM")))
    var caFile: String?

    @Option(help: ArgumentHelp(Setting.tokenCache.help("Token cache directory, or off")))
    var tokenCache: String?

    @Option(help: ArgumentHelp(Setting.store.help("Where tokens, --lock, caspio.state and the usage ledger live: file, or a PostgreSQL URL that several hosts share")))
    var store: String?

    @Option(help: ArgumentHelp(Setting.maxRequests.help("Stop with a budget error before request N+1")))
    var maxRequests: Int?

    @Option(help: ArgumentHelp(Setting.rate.help("Space requests to at most N per second across the run, e.g. 6; auto: the account's published limit")))
    var rate: RateArgument?

    @Option(help: ArgumentHelp(Setting.maxRequestsPerDay.help("Stop before the account's request N+1 of the day, all runs counted")))
    var maxRequestsPerDay: Int?

    @Option(help: ArgumentHelp(Setting.maxRequestsPerPeriod.help("Stop before the account's request N+1 of the billing period")))
    var maxRequestsPerPeriod: Int?

    @Option(help: ArgumentHelp(Setting.billingTimeZone.help("The account's clock for the ledger's days and billing periods: an IANA zone or an offset like -07:00")))
    var billingTimeZone: String?

    @Option(help: ArgumentHelp(Setting.principal.help("Name the acting user in Caspio's audit log: every request sends `Principal: NAME`")))
    var principal: String?

    @Flag(name: [.short, .long], help: "Log each request and token renewal to stderr.")
    var verbose = false

    @Option(help: ArgumentHelp(Setting.logLevel.help("Log level: trace, debug, info, notice, warning, error")))
    var logLevel: String?

    @Option(help: ArgumentHelp(Setting.logFormat.help("Log format: text or json")))
    var logFormat: String?

    @Flag(help: "Use a sandbox started in this process with the demo data instead of an account (see `caspio sandbox`).")
    var sandbox = false

    func validate() throws { try values.validate() }

    /// The options' values, for the command's work.
    var values: Values {
        Values(
            profile: profile, account: account, baseURL: baseURL, tokenURL: tokenURL, caFile: caFile, tokenCache: tokenCache,
            store: store, maxRequests: maxRequests, rate: rate, maxRequestsPerDay: maxRequestsPerDay,
            maxRequestsPerPeriod: maxRequestsPerPeriod, billingTimeZone: billingTimeZone, principal: principal, verbose: verbose,
            logLevel: logLevel, logFormat: logFormat, sandbox: sandbox)
    }

    /// The values of the options above without ArgumentParser's property wrappers, whose first
    /// use (generic metadata, conformance lookups) is a tenth of a plain run's start: PlainRun
    /// makes these without them. By default those of a command line that gives none.
    /// PlainRunTests checks that each option has its value here, under its name.
    struct Values: Equatable {
        var profile: String?
        var account: String?
        var baseURL: String?
        var tokenURL: String?
        var caFile: String?
        var tokenCache: String?
        var store: String?
        var maxRequests: Int?
        var rate: RateArgument?
        var maxRequestsPerDay: Int?
        var maxRequestsPerPeriod: Int?
        var billingTimeZone: String?
        var principal: String?
        var verbose = false
        var logLevel: String?
        var logFormat: String?
        var sandbox = false

        func validate() throws {
            do { try overrides.validate() } catch { throw ValidationError(error.message) }
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
            switch rate {
            case .perSecond(let rate): overrides.rate = rate
            case .auto: overrides.rateFromAccount = true
            case nil: break
            }
            overrides.maxRequestsPerDay = maxRequestsPerDay
            overrides.maxRequestsPerPeriod = maxRequestsPerPeriod
            overrides.billingTimeZone = billingTimeZone
            overrides.principal = principal
            overrides.store = store
            return overrides
        }

        /// The log's level and format, from the flags, else the environment.
        func logSettings(environment: [String: String]) throws(CaspioError) -> LogSettings {
            let levelText = logLevel ?? environment[Setting.logLevel.variable] ?? (verbose ? "debug" : Setting.logLevel.defaultValue?.text ?? "warning")
            guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
                throw CaspioError(.config, "log level '\(levelText)' is not one of trace, debug, info, notice, warning, error, critical")
            }
            let formatText = logFormat ?? environment[Setting.logFormat.variable] ?? Setting.logFormat.defaultValue?.text ?? "text"
            guard let format = StderrLogHandler.Format(rawValue: formatText.lowercased()) else {
                throw CaspioError(.config, "log format '\(formatText)' is not one of text, json")
            }
            return LogSettings(level: level, format: format)
        }
    }
}

/// Where the log goes and how: stderr, as text or JSON lines.
struct LogSettings {
    var level: Logger.Level
    var format: StderrLogHandler.Format

    var logger: Logger {
        let (level, format) = (level, format)
        return Logger(label: "caspio") { label in StderrLogHandler(label: label, level: level, format: format) }
    }
}

extension CaspioError {
    /// The exit status for an error that ends the run: its kind's.
    var exitStatus: ExitStatus { ExitStatus(rawValue: kind.exitStatus) ?? .scriptError }
}

/// `--rate`: requests per second, or `auto` (the account's published limit).
enum RateArgument: ExpressibleByArgument, Sendable, Equatable {
    case perSecond(Double)
    case auto

    init?(argument: String) {
        if argument == SettingType.autoRate {
            self = .auto
        } else if let rate = Double(argument) {
            self = .perSecond(rate)
        } else {
            return nil
        }
    }
}
