import ArgumentParser
import CaspioClient
import CaspioModule
import CaspioSandbox
import CaspioStore
import Foundation
import Logging
import PostgresTarget

/// One command's use of an account, made once and passed down: the settings the flags (and a
/// `--sandbox`) resolve to, the logger, the sandbox when one was asked for, and the shared
/// store, opened at most once.
final class CommandSession: @unchecked Sendable {
    let environment: [String: String]
    /// The flags' settings; with `--sandbox`, the sandbox's account in place of any other.
    let overrides: ConfigurationOverrides
    let logger: Logger
    let sandbox: RunningSandbox?
    /// The store once opened. Not a Result: its first use at run time checks that CaspioError
    /// is an Error by scanning every conformance in the binary, a cost at every start.
    private var opened: Opened?
    private enum Opened {
        case files
        case shared(PostgresStore)
        case failed(CaspioError)
    }
    private let openLock = NSLock()

    private init(environment: [String: String], overrides: ConfigurationOverrides, logger: Logger, sandbox: RunningSandbox?) {
        self.environment = environment
        self.overrides = overrides
        self.logger = logger
        self.sandbox = sandbox
    }

    /// Logging first, so that every error after it is reported in the format asked for; then
    /// the sandbox, if asked for. A failure is reported here and thrown as the exit status.
    static func start(_ connection: ConnectionOptions.Values, environment: [String: String] = ProcessEnvironment.all) throws
        -> CommandSession
    {
        let log: LogSettings
        do { log = try connection.logSettings(environment: environment) } catch {
            printError(error.description)
            throw ExitCode(error.exitStatus.rawValue)
        }
        ErrorOutput.use(log)
        let logger = log.logger
        let ignored = ConfigurationResolver(environment: environment, overrides: connection.overrides).ignoredVariables
        if !connection.sandbox, let profile = connection.profile, !ignored.isEmpty {
            printError("--profile \(profile): ignoring \(ignored.joined(separator: ", ")) in the environment", level: "warning")
        }
        guard connection.sandbox else {
            return CommandSession(environment: environment, overrides: connection.overrides, logger: logger, sandbox: nil)
        }
        let version: Int
        do { version = try InProcessSandbox.apiVersion(environment) } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let running: RunningSandbox
        do { running = try InProcessSandbox.start() } catch {
            printError("--sandbox: \(error)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let overrides = InProcessSandbox.overrides(for: running, connection.overrides, apiVersion: version)
        return CommandSession(environment: environment, overrides: overrides, logger: logger, sandbox: running)
    }

    /// The same session on the profile `name` of the config file (the REPL's `:profile`): it
    /// leaves a sandbox, and opens the store that profile names.
    func switching(toProfile name: String, _ connection: ConnectionOptions.Values) -> CommandSession {
        var chosen = connection
        (chosen.profile, chosen.sandbox) = (name, false)
        return CommandSession(environment: environment, overrides: chosen.overrides, logger: logger, sandbox: nil)
    }

    /// Stops the sandbox, if this session started one.
    func close() {
        sandbox.map(InProcessSandbox.stop)
    }

    func resolver(scriptName: String? = nil) -> ConfigurationResolver {
        var overrides = overrides
        overrides.scriptName = scriptName
        return ConfigurationResolver(environment: environment, overrides: overrides)
    }

    /// The shared store, if the store setting names one, opened on first use; nil with
    /// --sandbox (a throwaway account's tokens and state stay in this process) or for files.
    func store() throws(CaspioError) -> PostgresStore? {
        guard sandbox == nil else { return nil }
        openLock.lock()
        defer { openLock.unlock() }
        if opened == nil {
            do throws(CaspioError) {
                let setting = try resolver().resolveStore()
                if setting.isFile {
                    opened = .files
                } else {
                    let (environment, logger) = (environment, logger)
                    let (store, _) = try blocking { () async throws(CaspioError) in
                        try await PostgresStore.open(setting, environment: environment, logger: logger)
                    }
                    opened = .shared(store)
                }
            } catch { opened = .failed(error) }
        }
        switch opened {
        case .shared(let store): return store
        case .failed(let error): throw error
        case .files, nil: return nil
        }
    }

    /// A client of this session's account, using its store. `requireCredentials: false`: the
    /// secret is neither needed nor read (to delete cached tokens, say).
    func makeClient(scriptName: String? = nil, requireCredentials: Bool = true) throws(CaspioError) -> CaspioClient {
        var resolver = resolver(scriptName: scriptName)
        resolver.requireCredentials = requireCredentials
        let configuration = try resolver.resolve()
        let stores = try store()?.sharedStores(for: configuration)
        return try CaspioClient(configuration: configuration, logger: logger, stores: stores)
    }

    /// The module's context: the client is made on first use. `scriptName` is what the usage
    /// ledger files the run's requests under; `state`, when given, replaces the state file.
    func makeModuleContext(statePath: String? = nil, state: (any ScriptStateStore)? = nil, scriptName: String? = nil) -> ModuleContext {
        let context = ModuleContext(logger: logger, statePath: statePath, state: state) { [self] () throws(CaspioError) -> CaspioClient in
            try makeClient(scriptName: scriptName)
        }
        let (environment, logger) = (environment, logger)
        context.openPostgres = { (url) throws(CaspioError) in try PostgresTarget.open(url, environment: environment, logger: logger) }
        return context
    }

    /// The run lock `unattended` asks for (or `lock`, when it asks for none), in the shared
    /// store when there is one, else a file on this host.
    func runLock(_ unattended: UnattendedOptions.Values, subject: LockSubject, default lock: DefaultLock = .none) throws -> (any RunLockStore)? {
        guard let request = unattended.lockRequest(environment: environment, default: lock) else { return nil }
        // Checked before the store is opened: a bare --lock without a script is a usage error.
        let path = try request.path(for: subject, environment: environment)
        if let store = try store() {
            return store.runLock(named: request.name(for: subject, path: path))
        }
        if let retired = UserDirectories(environment: environment).retiredLocks { FileRunLock.removeRetiredLocks(in: retired) }
        return FileRunLock(path: path)
    }
}
