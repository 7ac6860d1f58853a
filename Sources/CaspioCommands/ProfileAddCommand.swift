import ArgumentParser
import CaspioClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging

/// `caspio profile add NAME`: an account set up in one command. Flags give everything; on a
/// terminal what is missing is asked for. The secret is never a flag (it would show in `ps`
/// and in shell history): it is typed without echo, or piped on standard input.
struct ProfileAddCommand: ParsableCommand, StopsLikeRun {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an account to the config file, after checking its credentials with one token grant.",
        usage: """
            caspio profile add NAME --account ID [--api 4] --client-id ID [--secret-file F | --secret-command C | --secret-env V] [--default]
              echo "$SECRET" | caspio profile add NAME --account ID --client-id ID
            """,
        discussion: """
            Without --secret-file, --secret-command or --secret-env, the secret is typed (without echo) on a terminal, or read from the first line of standard input, and stored in NAME.secret beside the config file (mode 600), or with --inline-secret in the config file itself. The check's token is kept in the token cache, so the first run does not sign in again. The first profile added becomes the default.
            """
    )

    @Argument(help: "Profile name: letters, digits, _ and -.")
    var name: String

    @Option(help: "Caspio account id, e.g. c1abc123.")
    var account: String?

    @Option(help: "Resource endpoint URL instead of an account (custom integration domain).")
    var baseURL: String?

    @Option(help: "REST API version of the account: 3 (default) or 4 (2 for accounts still on v2); a --base-url names its own.")
    var api: Int?

    @Option(help: "Token endpoint URL (default: /oauth/token on the endpoint's host).")
    var tokenURL: String?

    @Option(help: "Client id, from Caspio's Web Services Profile page.")
    var clientID: String?

    @Option(help: "Runs read the secret from this file (it must be mode 600).")
    var secretFile: String?

    @Option(help: "Runs take the secret from this command's output (e.g. \"pass show caspio/prod\").")
    var secretCommand: String?

    @Option(help: "Runs take the secret from this environment variable.")
    var secretEnv: String?

    @Flag(help: "Store the typed or piped secret in the config file instead of NAME.secret.")
    var inlineSecret = false

    @Option(help: "Extra trusted CA certificates (PEM) for this account.")
    var caFile: String?

    @Flag(name: .customLong("default"), help: "Make it the default profile.")
    var makeDefault = false

    @Flag(help: "Replace an existing profile of that name.")
    var replace = false

    @Flag(help: "Do not check the credentials (no token grant).")
    var noCheck = false

    func validate() throws {
        guard ConfigDocument.isValidName(name) else {
            throw ValidationError("the profile name '\(name)' may contain only letters, digits, _ and -")
        }
        if account != nil, baseURL != nil { throw ValidationError("give --account or --base-url, not both") }
        if let api {
            let setting = Setting.apiVersion
            if let problem = setting.type.checked(.integer(api)) { throw ValidationError("--api \(api) \(problem)") }
            if let baseURL, let url = URL(string: baseURL) {
                let named = ClientConfiguration.apiVersion(of: url)
                if named != api {
                    throw ValidationError("--base-url \(baseURL) names REST API v\(named), not v\(api): end it in \(ClientConfiguration.restPath(api)), or give --account with --api \(api)")
                }
            }
        }
        let sources = [("--secret-file", secretFile), ("--secret-command", secretCommand), ("--secret-env", secretEnv)]
            .filter { $0.1 != nil }.map(\.0)
        if sources.count > 1 { throw ValidationError("give only one of \(sources.joined(separator: ", "))") }
        if inlineSecret, let source = sources.first {
            throw ValidationError("--inline-secret stores a typed or piped secret; it does not go with \(source)")
        }
    }

    func run() throws {
        var document = try ProfileCommand.document()
        let hadProfiles = !document.profileNames.isEmpty
        if !replace, document.settings(of: name) != nil {
            printError("there is already a profile '\(name)' in \(document.path) (--replace replaces it)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        var entry = try reportingErrors { try askForWhatIsMissing() }
        // Stored secrets are checked from memory and written only once they are known to work.
        let typed: Secret?
        if case .inline(let secret) = entry.secret { typed = secret } else { typed = nil }
        if !noCheck {
            var candidate = document
            try reportingErrors { try candidate.setProfile(name, entry, replace: true) }
            try check(candidate)
        }
        var savedSecret: String?
        try reportingErrors {
            if let typed, !inlineSecret {
                let path = try document.storeSecret(typed, for: name)
                entry.secret = .file(path)
                savedSecret = path
            }
            try document.setProfile(name, entry, replace: replace)
            if makeDefault || !hadProfiles { try document.setDefault(name) }
            try document.save()
        }
        if let savedSecret { print("Saved the secret in \(savedSecret) (mode 600).") }
        let isDefault = document.defaultProfile == name
        print("Added profile '\(name)' to \(document.path)\(isDefault ? " (the default profile)" : "").")
        print("Try it: caspio\(isDefault ? "" : " --profile \(name)") request GET tables")
    }

    /// The entry from the flags, asking on a terminal for what they leave out.
    private func askForWhatIsMissing() throws(CaspioError) -> ProfileEntry {
        let interactive = TerminalInput.isInteractive
        var account = account, baseURL = baseURL, clientID = clientID
        if account == nil, baseURL == nil {
            guard interactive, let answer = TerminalInput.ask("Caspio account id (e.g. c1abc123), or the URL of a custom integration domain: "), !answer.isEmpty else {
                throw CaspioError(.config, "no account: give --account ID (e.g. c1abc123) or --base-url URL")
            }
            if answer.contains("://") { baseURL = answer } else { account = answer }
        }
        if clientID == nil {
            guard interactive, let answer = TerminalInput.ask("Client id (Caspio: Access Permissions > Web Services Profile): "), !answer.isEmpty else {
                throw CaspioError(.config, "no client id: give --client-id ID")
            }
            clientID = answer
        }
        let secret: ProfileEntry.SecretStorage
        if let secretFile {
            secret = .file(URL(fileURLWithPath: secretFile).standardizedFileURL.path)
        } else if let secretCommand {
            secret = .command(secretCommand)
        } else if let secretEnv {
            secret = .environment(secretEnv)
        } else {
            let line = interactive ? TerminalInput.askSecret("Client secret (not shown): ") : readLine(strippingNewline: true)
            guard let line, !line.isEmpty else {
                throw CaspioError(
                    .config,
                    "no client secret: type it on a terminal, pipe it on standard input, or give --secret-file, --secret-command or --secret-env")
            }
            let typed = Secret(line.hasSuffix("\r") ? String(line.dropLast()) : line)
            SecretRedactor.shared.register(typed)  // no error message may quote it
            secret = .inline(typed)
        }
        return ProfileEntry(
            account: account, baseURL: baseURL, apiVersion: account != nil && api != 3 ? api : nil, tokenURL: tokenURL, clientID: clientID!, secret: secret,
            caFile: caFile.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
    }

    /// One client_credentials grant with the profile's settings, kept in the token cache.
    private func check(_ candidate: ConfigDocument) throws {
        // From here (the secret typed) a stop ends the check as it ends a run.
        CommandStop.begin()
        try reportingErrors {
            let configuration = try ConfigurationResolver().resolve(profile: name, configText: candidate.text)
            let logger = Logger(label: "caspio") { StderrLogHandler(label: $0, level: .warning, format: .text) }
            let client = try CaspioClient(configuration: configuration, logger: logger)
            let outcome = try CommandStop.awaiting { () async -> Result<Void, CaspioError> in
                let result: Result<Void, CaspioError>
                do { _ = try await client.tokens.authenticate(); result = .success(()) } catch let error as CaspioError {
                    result = .failure(error)
                } catch {
                    result = .failure(CaspioError(.network, "\(error)"))
                }
                await client.shutdown()
                return result
            }
            if case .failure(let error) = outcome {
                throw CaspioError(
                    error.kind, "checking the credentials failed, so nothing was saved (--no-check saves without a check): \(error.message)",
                    status: error.status, code: error.code, requestID: error.requestID, method: error.method, url: error.url)
            }
            print("Checked: \(configuration.tokenURL.absoluteString) granted a token\(client.tokenStore.map { " (cached in \($0.location))" } ?? "").")
        }
    }
}
