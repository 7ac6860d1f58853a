import ArgumentParser
import CaspioClient
import CaspioStore
import Foundation

/// `caspio doctor`: what a run would use, checked one step at a time, from the config file to
/// the API, so that a cron job's failure can be found before the night it happens.
struct DoctorCommand: ParsableCommand, StopsLikeRun {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the setup: config, secret, token cache, token endpoint (DNS, TLS, clock), API.",
        discussion: "Each line is OK, or FAIL and what to do. Exits 1 when a check fails. Never prints a secret or a token."
    )

    @OptionGroup var connection: ConnectionOptions

    func run() throws {
        CommandStop.begin()
        var report = DoctorReport()
        // --sandbox: the checks run against a sandbox started for them, as `run --sandbox` would.
        let session = try CommandSession.start(connection.values)
        defer { session.close() }
        let sandbox = session.sandbox
        let resolver = session.resolver()
        if sandbox != nil {
            report.ok("config", "not read with --sandbox (the account is the sandbox's)")
        } else {
            checkConfigFile(resolver.configFilePath, &report)
        }
        let configuration: ClientConfiguration
        do { configuration = try resolver.resolve() } catch {
            // A source that fails (file, command, variable) names its client_secret_ setting.
            let topic = error.message.contains("client_secret_") && !error.message.contains("missing") ? "secret" : "account"
            let fix = error.message.contains("caspio profile add") ? "" : "; caspio profile add NAME sets one up"
            report.fail(topic, error.message + fix)
            report.fail("network", "not checked until the above is fixed")
            throw ExitCode(1)
        }
        report.ok("account", "\(configuration.profile.map { "profile \($0)" } ?? "the environment"): \(configuration.baseURL.absoluteString), client id \(configuration.clientID)")
        let origins = Setting.all.compactMap { setting in configuration.origins[setting.name].map { "\(setting.name) from \($0)" } }
        report.ok("settings", origins.joined(separator: "; "))
        DoctorLocalChecks(configuration: configuration, configPath: resolver.configFilePath).run(&report)
        var probing = configuration
        probing.retry = .none  // a diagnosis reports the first failure, it does not ride it out
        let logger = session.logger
        let store = sandbox == nil ? try DoctorStoreCheck.run(resolver, logger: logger, &report) : nil
        if sandbox != nil { report.ok("store", "not used with --sandbox (its tokens and state last as long as it does)") }
        let stores = try reportingErrors { try store?.sharedStores(for: probing) }
        let client = try reportingErrors { try CaspioClient(configuration: probing, logger: logger, stores: stores) }
        let network = try CommandStop.awaiting { [report] () async -> DoctorReport in
            var report = report
            await DoctorNetworkChecks(client: client).run(&report)
            await client.shutdown()
            return report
        }
        if network.failed { throw ExitCode(1) }
    }

    private func checkConfigFile(_ path: String, _ report: inout DoctorReport) {
        guard FileManager.default.fileExists(atPath: path) else {
            report.ok("config", "no config file at \(path) (fine when CASPIO_* variables name the account)")
            return
        }
        do {
            let document = try ConfigDocument(path: path)
            let names = document.profileNames.isEmpty ? "no profiles" : "profiles " + document.profileNames.joined(separator: ", ")
            report.ok("config", "\(path): \(names)\(document.defaultProfile.map { " (default \($0))" } ?? "")")
        } catch {
            report.fail("config", error.message)
        }
    }
}

/// The lines of the report, printed as they are decided (a slow network check shows where it is).
struct DoctorReport: Sendable {
    private(set) var failed = false

    mutating func ok(_ topic: String, _ detail: String) { line("OK  ", topic, detail) }

    mutating func fail(_ topic: String, _ detail: String) {
        failed = true
        line("FAIL", topic, detail)
    }

    private func line(_ status: String, _ topic: String, _ detail: String) {
        let text = "\(status)  \(topic.padding(toLength: 15, withPad: " ", startingAt: 0)) \(SecretRedactor.shared.redact(detail).replacingOccurrences(of: "\n", with: " "))\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
