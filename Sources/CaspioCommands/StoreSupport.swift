import ArgumentParser
import CaspioClient
import CaspioStore
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// `caspio store init`: caspio's tables in the shared store, created now or checked.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "The shared store (PostgreSQL) that several hosts use for tokens, locks, state and the usage ledger.",
        subcommands: [StoreInitCommand.self]
    )
}

struct StoreInitCommand: ParsableCommand, StopsLikeRun {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create caspio's tables in the store's schema `caspio` (done on first use too), or check their version.",
        usage: "caspio store init [--store postgres://USER@HOST/DB] [--profile P]"
    )

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        CommandStop.begin()
        do {
            let environment = ProcessInfo.processInfo.environment
            let log = try connection.values.logSettings(environment: environment)
            ErrorOutput.use(log)
            let logger = log.logger
            let setting = try ConfigurationResolver(environment: environment, overrides: connection.values.overrides).resolveStore()
            guard !setting.isFile else {
                throw CaspioError(.config, "the store is this host's files (\(setting.origin)): give --store postgres://USER@HOST/DB, CASPIO_STORE or store in a profile")
            }
            let (store, outcome) = try CommandStop.awaiting { () async throws(CaspioError) in
                try await PostgresStore.open(setting, environment: environment, logger: logger)
            }
            switch outcome {
            case .created: print("created caspio's tables (schema caspio, version \(Schema.version)) in \(store.url.display)")
            case .present(let version): print("caspio's tables are in \(store.url.display) (schema caspio, version \(version)): nothing to do")
            }
        } catch let error as CaspioError {
            printError(error.description)
            throw ExitCode(error.exitStatus.rawValue)
        }
    }
}

/// `caspio doctor`'s look at the store: reachable, schema version known (created if absent).
enum DoctorStoreCheck {
    /// A stop (Ctrl-C, SIGTERM) while the store does not answer abandons the check and throws
    /// `CommandStop.Stopped`, as every `StopsLikeRun` command's work does.
    static func run(_ resolver: ConfigurationResolver, logger: Logger, _ report: inout DoctorReport) throws(CommandStop.Stopped) -> PostgresStore? {
        do {
            let setting = try resolver.resolveStore()
            guard !setting.isFile else {
                report.ok("store", "file: tokens, locks, state and the usage ledger are this host's (CASPIO_STORE=postgres://… shares them between hosts)")
                let directories = UserDirectories(environment: resolver.environment)
                report.ok("files", "locks \(directories.locks)/SCRIPT-HASH.lock, caspio.state \(directories.state)/state/SCRIPT-HASH.json (from HOME and XDG_STATE_HOME, the same for cron and a login shell)")
                return nil
            }
            let environment = resolver.environment
            let (store, outcome) = try CommandStop.awaiting { () async throws(CaspioError) in
                try await PostgresStore.open(setting, environment: environment, logger: logger)
            }
            let detail = outcome == .created ? "tables created now (schema caspio, version \(Schema.version))" : "schema caspio, version \(Schema.version)"
            report.ok("store", "\(store.url.display) (\(setting.origin)): reachable, \(detail)")
            return store
        } catch let stopped as CommandStop.Stopped {
            throw stopped
        } catch let error as CaspioError {
            report.fail("store", error.message)
            return nil
        } catch {
            report.fail("store", "\(error)")
            return nil
        }
    }
}
