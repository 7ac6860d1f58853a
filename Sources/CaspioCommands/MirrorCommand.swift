import ArgumentParser
import CaspioClient
import CaspioSandbox
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import LuaBridge
import Logging

/// `caspio mirror TARGET`: a thin shell over built-in Lua (Jobs/mirror.lua) that calls
/// caspio.mirror, so that the command and scripts share one implementation. It runs as
/// `caspio run` runs a script (budgets, pacing, the ledger, --summary), under the target's lock.
struct MirrorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Keep a live SQL copy of tables: the first run copies them, later runs read only what changed.",
        discussion: """
            TARGET is sqlite:PATH, or a PostgreSQL URL (postgres://USER@HOST/DATABASE?sslmode=require) read as --store reads one, its password from PGPASSWORD or ~/.pgpass. The first run copies each table whole (one SQL table per Caspio table, its columns in the table's order, PK_ID the key); later runs read only the rows changed since the last (a TIMESTAMP field stamped on update, or --cursor TABLE.FIELD), less a lookback window, and compare the key sets for deletes. A table without a cursor is read in full. Each table's changes are committed at once, so a reader never sees half of them and a killed run is redone. The state of each table is kept in the target's _caspio_mirror table. Every run ends with a line per table (inserted, updated, deleted, calls) and a total. The run holds the target's lock. With --every, --listen HOST:PORT also receives Caspio's webhook deliveries for the tables (the secret in the body, or the sandbox's \(WebhookDelivery.signatureHeader); the secret from \(WebhookListener.secretVariable)), drops repeats by messageId and applies them in the pauses, per row the newest by eventDate; the periodic run catches what webhooks miss (imports, tasks, triggered actions, lost deliveries). Exit codes as for `run`.
            """
    )

    @Argument(help: ArgumentHelp("Where the copy lives: sqlite:PATH or postgres://USER@HOST/DATABASE.", valueName: "TARGET"))
    var target: String

    @Option(help: ArgumentHelp("The tables to mirror, comma-separated.", valueName: "A,B"))
    var tables: String?

    @Flag(help: "Mirror every table of the account.")
    var all = false

    @Flag(help: "Copy every table whole again, as on the first run.")
    var full = false

    @Option(help: ArgumentHelp("TABLE.FIELD: a DATE/TIME field stamped on every change of TABLE, read from (repeatable).", valueName: "TABLE.FIELD"))
    var cursor: [String] = []

    @Option(help: ArgumentHelp("How far before the cursor to read again, for rows committed late (default 10m).", valueName: "DURATION"))
    var lookback: String?

    @Option(name: .customLong("deletes-every"), help: ArgumentHelp("Compare the key sets for deletes every Nth run of a table (default 1).", valueName: "N"))
    var deletesEvery: Int?

    @Flag(help: "Drop the columns of fields removed in Caspio (default: keep them).")
    var prune = false

    @Option(help: ArgumentHelp("Mirror again after each pause of DURATION (10m, 1h), until stopped.", valueName: "DURATION"))
    var every: String?

    @Option(help: ArgumentHelp(
        "Also receive Caspio's webhook deliveries for the tables on HOST:PORT (0: a free port) and apply them between runs; needs --every and \(WebhookListener.secretVariable).",
        valueName: "HOST:PORT"))
    var listen: String?

    @Flag(name: .customLong("dry-run"), help: "Read and compare, but commit nothing to the target (CASPIO_DRY_RUN=1).")
    var dryRun = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    @OptionGroup(title: "Unattended runs")
    var unattended: UnattendedOptions

    /// Seconds of a duration flag: 0, or 90s, 10m, 1h, 1d, or a number of seconds.
    static func seconds(_ text: String?, flag: String) throws -> Int? {
        guard let text else { return nil }
        if text == "0" { return 0 }
        guard let seconds = SandboxSettings.duration(text), seconds >= 1 else {
            throw ValidationError("--\(flag) '\(text)' is not a duration such as 90s, 10m or 1h")
        }
        return Int(seconds.rounded())
    }

    func validate() throws {
        if (tables == nil) == !all { throw ValidationError("give --tables A,B or --all (one of them)") }
        if let deletesEvery, deletesEvery < 1 { throw ValidationError("--deletes-every must be 1 or more") }
        _ = try Self.seconds(lookback, flag: "lookback")
        if try Self.seconds(every, flag: "every") == 0 { throw ValidationError("--every must be longer than 0") }
        if let listen {
            guard WebhookListener.Address.parse(listen) != nil else {
                throw ValidationError("--listen '\(listen)' is not an address to listen on: write HOST:PORT, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080")
            }
            // Webhooks miss imports, tasks and triggered actions: the periodic run catches those.
            if every == nil {
                throw ValidationError("--listen needs --every DURATION (e.g. --every 1h): webhooks miss imports, tasks and triggered actions, which only the periodic run catches")
            }
            if Self.webhookSecret == nil {
                throw ValidationError("--listen needs the webhook's secret in \(WebhookListener.secretVariable) (Caspio shows it when the webhook is made)")
            }
        }
    }

    static var webhookSecret: Secret? {
        guard let value = ProcessEnvironment.value(of: WebhookListener.secretVariable), !value.isEmpty else { return nil }
        return Secret(value)
    }

    func run() throws {
        let quiet = unattended.values.effectiveQuiet
        let texts: [(String, String?)] = [("target", target), ("tables", tables), ("cursor", cursor.isEmpty ? nil : cursor.joined(separator: ","))]
        let numbers: [(String, Int?)] = [
            ("lookback", try Self.seconds(lookback, flag: "lookback")), ("deletes_every", deletesEvery), ("every", try Self.seconds(every, flag: "every")),
        ]
        var parameters: [(String, DataJob.Parameter)] = texts.compactMap { key, value in value.map { (key, .text($0)) } }
        parameters += [("all", all), ("full", full), ("prune", prune), ("bar", false), ("quiet", quiet)].map { ($0.0, .flag($0.1)) }
        parameters += numbers.compactMap { key, value in value.map { (key, .number($0)) } }
        let webhooks = try listen.map { text in try WebhookJob(address: text) }
        if let webhooks { parameters += webhooks.parameters }
        defer { webhooks?.stop() }
        try RunCommand.launch(RunCommand.Launch(
            connection: connection.values, unattended: unattended.values, script: nil, lockSubject: .table("mirror " + StoreSetting.redacted(target)), defaultLock: .derived,
            ledgerName: "mirror", argv: CommandLine.arguments, scriptIndex: nil,
            preloads: [.job(DataJob.Spec(name: "mirror", source: PackageResources.mirror_lua, parameters: parameters))], dryRun: dryRun))
    }
}

/// The job's side of --listen: `p.listen()` starts the listener once the run holds the
/// target's lock and returns where it listens; `p.pause(seconds)` starts a pause;
/// `p.webhooks()` waits for messages while the pause lasts (a list of their bodies), nil
/// when it is over or a stop came.
final class WebhookJob: @unchecked Sendable {
    let address: WebhookListener.Address
    let inbox = WebhookInbox()
    let secret: Secret
    private var listener: WebhookListener?

    init(address text: String) throws {
        guard let address = WebhookListener.Address.parse(text), let secret = MirrorCommand.webhookSecret else {
            throw ValidationError("--listen needs HOST:PORT and \(WebhookListener.secretVariable)")
        }
        SecretRedactor.shared.register(secret)
        (self.address, self.secret) = (address, secret)
    }

    var parameters: [(String, DataJob.Parameter)] {
        [
            ("listen", .function { [self] lua in
                let (address, secret, inbox) = (address, secret, inbox)
                do {
                    listener = try blocking { try await WebhookListener.start(address, secret: secret, inbox: inbox, logger: Logger(label: "caspio-mirror")) }
                } catch { throw LuaRaise.messageWithoutPosition("\(error)") }
                let bound = listener?.address ?? address
                lua.push(bound.host.contains(":") ? "[\(bound.host)]:\(bound.port)" : "\(bound.host):\(bound.port)")
                return .one
            }),
            ("pause", .function { [self] lua in
                inbox.pause(lua.number(at: 1) ?? 0)
                return .none
            }),
            ("webhooks", .function { [self] lua in
                guard let bodies = inbox.next() else { return .none }
                lua.newTable(arrayCapacity: Int32(bodies.count))
                for (index, body) in bodies.enumerated() {
                    lua.push(body)
                    lua.setItem(Int64(index + 1), ofTableAt: -2)
                }
                return .one
            }),
        ]
    }

    func stop() {
        guard let listener else { return }
        blocking { await listener.stop() }
    }
}
