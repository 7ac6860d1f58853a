import ArgumentParser
import CaspioClient
import CaspioStore
import Foundation
import Logging

/// The store this process uses, opened once per process (a command's start, or the first
/// client): nil for this host's files.
enum ActiveStore {
    nonisolated(unsafe) private static var opened: Result<PostgresStore?, CaspioError>?
    private static let guardLock = NSLock()

    static func open(_ overrides: ConfigurationOverrides, environment: [String: String], logger: Logger) throws(CaspioError) -> PostgresStore? {
        guardLock.lock()
        defer { guardLock.unlock() }
        if let opened { return try opened.get() }
        let result: Result<PostgresStore?, CaspioError>
        do throws(CaspioError) {
            let setting = try ConfigurationResolver(environment: environment, overrides: overrides).resolveStore()
            if setting.isFile {
                result = .success(nil)
            } else {
                let (store, _) = try blocking { () async throws(CaspioError) in
                    try await PostgresStore.open(setting, environment: environment, logger: logger)
                }
                result = .success(store)
            }
        } catch { result = .failure(error) }
        opened = result
        return try result.get()
    }
}

extension ConnectionOptions {
    /// The shared store, if the store setting names one; nil with --sandbox (a throwaway
    /// account's tokens and state stay in this process) or for files.
    func openStore(environment: [String: String]? = nil) throws(CaspioError) -> PostgresStore? {
        guard environment == nil, !sandbox else { return nil }
        return try ActiveStore.open(overrides, environment: ProcessInfo.processInfo.environment, logger: try makeLogger())
    }
}

extension UnattendedOptions {
    /// The run lock's name in a shared store: the name given (--lock NAME, CASPIO_LOCK), or
    /// the script's file name for a bare --lock, the same on every host whatever its path.
    func lockName(script: String?, path: String) -> String {
        var requested = lockFile
        if lockAuto { requested = "auto" }
        if requested == nil, let value = ProcessInfo.processInfo.environment["CASPIO_LOCK"], !value.isEmpty { requested = value }
        guard requested == "auto", let script else { return requested ?? path }
        return (script as NSString).lastPathComponent
    }
}

/// `caspio store init`: caspio's tables in the shared store, created now or checked.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "The shared store (PostgreSQL) that several hosts use for tokens, locks, state and the usage ledger.",
        subcommands: [StoreInitCommand.self]
    )
}

struct StoreInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create caspio's tables in the store's schema `caspio` (done on first use too), or check their version.",
        usage: "caspio store init [--store postgres://USER@HOST/DB] [--profile P]"
    )

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        do throws(CaspioError) {
            let logger = try connection.makeLogger()
            let environment = ProcessInfo.processInfo.environment
            let setting = try ConfigurationResolver(environment: environment, overrides: connection.overrides).resolveStore()
            guard !setting.isFile else {
                throw CaspioError(.config, "the store is this host's files (\(setting.origin)): give --store postgres://USER@HOST/DB, CASPIO_STORE or store in a profile")
            }
            let (store, outcome) = try blocking { () async throws(CaspioError) in
                try await PostgresStore.open(setting, environment: environment, logger: logger)
            }
            switch outcome {
            case .created: print("created caspio's tables (schema caspio, version \(Schema.version)) in \(store.url.display)")
            case .present(let version): print("caspio's tables are in \(store.url.display) (schema caspio, version \(version)): nothing to do")
            }
        } catch {
            printError(error.description)
            throw ExitCode(error.exitStatus.rawValue)
        }
    }
}

/// `caspio doctor`'s look at the store: reachable, schema version known (created if absent).
enum DoctorStoreCheck {
    static func run(_ resolver: ConfigurationResolver, logger: Logger, _ report: inout DoctorReport) -> PostgresStore? {
        do throws(CaspioError) {
            let setting = try resolver.resolveStore()
            guard !setting.isFile else {
                report.ok("store", "file: tokens, locks, state and the usage ledger are this host's (CASPIO_STORE=postgres://… shares them between hosts)")
                return nil
            }
            let environment = resolver.environment
            let (store, outcome) = try blocking { () async throws(CaspioError) in
                try await PostgresStore.open(setting, environment: environment, logger: logger)
            }
            let detail = outcome == .created ? "tables created now (schema caspio, version \(Schema.version))" : "schema caspio, version \(Schema.version)"
            report.ok("store", "\(store.url.display) (\(setting.origin)): reachable, \(detail)")
            return store
        } catch {
            report.fail("store", error.message)
            return nil
        }
    }
}
