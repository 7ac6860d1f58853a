#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Where the client secret (or the store's password, `store_password_*`) comes from.
enum SecretSource {
    case inline(Secret)
    /// The name of an environment variable.
    case environment(String)
    /// A file, refused unless only its owner can read it (mode 0600 or stricter).
    case file(String)
    /// A command whose standard output is the secret, as git credential helpers and AWS
    /// `credential_process` do.
    case command(String)

    /// Its key in a profile: `prefix` is client_secret or store_password.
    func setting(_ prefix: String = "client_secret") -> String {
        switch self {
        case .inline: prefix
        case .environment: prefix + "_env"
        case .file: prefix + "_file"
        case .command: prefix + "_command"
        }
    }

    var setting: String { setting() }

    /// The variable, file or command it names; nil for an inline secret.
    var detail: String? {
        switch self {
        case .inline: nil
        case .environment(let text), .file(let text), .command(let text): text
        }
    }

    func resolve(environment: [String: String], origin: String, prefix: String = "client_secret") throws(CaspioError) -> Secret {
        let key = setting(prefix)
        let secret: Secret
        switch self {
        case .inline(let value):
            secret = value
        case .environment(let name):
            guard let value = environment[name] else {
                throw CaspioError(.config, "\(origin): \(key) names \(name), which is not set")
            }
            secret = Secret(value)
        case .file(let rawPath):
            let path = UserDirectories(environment: environment).expandingTilde(rawPath)
            var info = stat()
            guard stat(path, &info) == 0 else {
                throw CaspioError(.config, "\(origin): cannot read \(key) \(path): \(errnoText())")
            }
            let mode = info.st_mode & 0o777
            guard mode & 0o077 == 0 else {
                throw CaspioError(
                    .config,
                    "\(origin): \(key) \(path) may be read by others (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CaspioError(.config, "\(origin): cannot read \(key) \(path)")
            }
            secret = Secret(trimmingLineEnd(String(decoding: data, as: UTF8.self)))
        case .command(let command):
            secret = Secret(try run(command, origin: origin, key: key))
        }
        guard !secret.isEmpty else {
            throw CaspioError(.config, "\(origin): " + (prefix == "client_secret" ? "the client secret is empty" : "\(key) gives an empty password"))
        }
        return secret
    }

    private func run(_ command: String, origin: String, key: String) throws(CaspioError) -> String {
        let outcome: SecretCommand.Outcome
        do { outcome = try SecretCommand.run(command) } catch {
            switch error {
            case .cannotStart(let reason): throw CaspioError(.config, "\(origin): cannot run \(key): \(reason)")
            case .timedOut:
                throw CaspioError(
                    .config,
                    "\(origin): \(key) did not finish within \(Int(SecretCommand.timeout))s and was killed (with whatever it started); does it wait for input?")
            case .stopped: throw CaspioError(.config, "\(origin): \(key) was stopped (the run is ending)")
            }
        }
        guard outcome.status == 0 else {
            // Its stderr is shown (first line): it explains failures and holds no secret by convention.
            let firstLine = String(decoding: outcome.stderr, as: UTF8.self).split(separator: "\n").first.map(String.init) ?? ""
            throw CaspioError(
                .config,
                "\(origin): \(key) exited with status \(outcome.status)\(firstLine.isEmpty ? "" : ": \(firstLine)")")
        }
        return trimmingLineEnd(String(decoding: outcome.stdout, as: UTF8.self))
    }
}

/// Drops trailing line ends, `\r\n` included (one Character in Swift, so `hasSuffix("\n")`
/// does not see it).
private func trimmingLineEnd(_ text: String) -> String {
    var scalars = text.unicodeScalars
    while let last = scalars.last, last == "\n" || last == "\r" { scalars.removeLast() }
    return String(scalars)
}
