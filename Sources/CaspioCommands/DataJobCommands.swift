import ArgumentParser
import LuaBridge
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// `caspio export` and `caspio import`: thin shells over built-in Lua (Jobs/*.lua) that call
/// the module's t:export, caspio.csv.rows, t:coerce and t:upsert, so that the commands and
/// scripts share one implementation. They run as `caspio run` runs a script.
enum DataJob {
    /// A job's parameter, handed to its chunk in the table `p` as a Lua value.
    enum Parameter {
        case text(String)
        case flag(Bool)
        case number(Int)
        /// A function of the command's own, for its job alone (not the `caspio` module's).
        case function(HostFunction)
    }

    /// What runs: the job's chunk, loaded under the command's name (as in "caspio import:12:"),
    /// called with `p` (the parameters, never spliced into source) and the progress bar.
    struct Spec {
        var name: String
        var source: [UInt8]
        var parameters: [(String, Parameter)]
        var progress: [UInt8] { PackageResources.progress_lua }
        var chunkName: String { "=caspio " + name }

        /// An error's message without the place in the job's chunk ("caspio export:4: "),
        /// which points at caspio's code, not at anything the user wrote or can change.
        func withoutPosition(_ message: String) -> String {
            let prefix = chunkName.dropFirst() + ":"
            guard message.hasPrefix(prefix) else { return message }
            let rest = message.dropFirst(prefix.count)
            let line = rest.prefix { $0.isASCII && $0.isNumber }
            guard !line.isEmpty, rest.dropFirst(line.count).hasPrefix(": ") else { return message }
            return String(rest.dropFirst(line.count + 2))
        }
    }

    static let delimiterHelp = "CSV: the character between fields, such as ';' (a European spreadsheet's) or tab (default ',')."

    /// `--delimiter`: one ASCII character; `tab` or `\t` for a tab.
    static func delimiter(_ given: String?) throws -> String? {
        guard let given else { return nil }
        if given == "tab" || given == "\\t" { return "\t" }
        guard given.utf8.count == 1, let byte = given.utf8.first, byte != UInt8(ascii: "\""), byte != 10, byte != 13 else {
            throw ValidationError("--delimiter must be one ASCII character other than a quote or a line end, such as ';' or tab (got '\(given)')")
        }
        return given
    }

    /// Runs the job as `caspio run` runs a script; a bar only for a person watching (stderr a
    /// terminal, and not --quiet).
    static func run(
        _ name: String, job: [UInt8], parameters: [(String, String?)], flags: [(String, Bool)] = [], numbers: [(String, Int?)] = [],
        _ connection: ConnectionOptions, _ unattended: UnattendedOptions, dryRun: Bool = false, table: String, lock: DefaultLock = .none
    ) throws {
        let quiet = unattended.values.effectiveQuiet
        var given: [(String, Parameter)] = parameters.compactMap { key, value in value.map { (key, .text($0)) } }
        given += (flags + [("bar", isatty(STDERR_FILENO) != 0 && !quiet), ("quiet", quiet)]).map { ($0.0, .flag($0.1)) }
        given += numbers.compactMap { key, value in value.map { (key, .number($0)) } }
        try RunCommand.launch(RunCommand.Launch(
            connection: connection.values, unattended: unattended.values, script: nil, lockSubject: .table(table), defaultLock: lock,
            ledgerName: name, argv: CommandLine.arguments, scriptIndex: nil,
            preloads: [.job(Spec(name: name, source: job, parameters: given))], dryRun: dryRun))
    }
}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a table (or view) to CSV, JSON or JSON Lines, columns in the table's order.",
        discussion: "Without -o, to standard output. A file is written under a temporary name and renamed when complete. On a terminal a progress bar shows rows, rows/s and the time left. A bare --lock holds the table's lock, the one `caspio import` takes, so that an export does not read a table half imported. Exit codes as for `run`."
    )

    @Argument(help: "The table (or, with --view, the view).")
    var table: String

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE instead of standard output.", valueName: "FILE"))
    var output: String?

    @Option(help: ArgumentHelp("csv (default, or from -o's extension), json or jsonl.", valueName: "FORMAT"))
    var format: String?

    @Option(name: .customLong("where"), help: ArgumentHelp("Only the rows matching this SQL where clause.", valueName: "CLAUSE"))
    var whereClause: String?

    @Option(name: [.customLong("select"), .customLong("columns")], help: ArgumentHelp("The columns, in this order (default: every field, in the table's order).", valueName: "F,…"))
    var select: String?

    @Option(help: ArgumentHelp("Leave these columns out (say, a LIST field, which cannot be imported again).", valueName: "F,…"))
    var skip: String?

    @Option(help: ArgumentHelp(DataJob.delimiterHelp, valueName: "CHAR"))
    var delimiter: String?

    @Flag(help: "CSV: end lines with CRLF, as RFC 4180 and spreadsheets on Windows write them (default LF).")
    var crlf = false

    @Option(name: .customLong("order-by"), help: ArgumentHelp("The order of the rows (PK_ID breaks ties).", valueName: "ORDER"))
    var orderBy: String?

    @Flag(help: "TABLE names a view.")
    var view = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    @OptionGroup(title: "Unattended runs")
    var unattended: UnattendedOptions

    func validate() throws {
        if select != nil, skip != nil { throw ValidationError("give --columns (--select) or --skip, not both") }
        _ = try DataJob.delimiter(delimiter)
    }

    func run() throws {
        try DataJob.run(
            "export", job: PackageResources.export_lua,
            parameters: [
                ("table", table), ("output", output), ("format", format), ("where", whereClause), ("select", select), ("skip", skip),
                ("order_by", orderBy), ("delimiter", try DataJob.delimiter(delimiter)),
            ],
            flags: [("view", view), ("crlf", crlf)], connection, unattended, table: table)
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load rows from a CSV, JSON or JSON Lines file into a table: upsert by --key, or insert.",
        discussion: "Every row is read, typed by the table's fields and checked (a malformed line, a value that does not convert, a key given twice) before the first write. With --key, rows are looked up by key: missing ones are inserted, changed ones updated, identical ones left alone, so a rerun after a crash or kill ends with every row present once. Without --key every row is inserted. The run holds the table's lock (as a bare --lock does; --lock=FILE names another), so that two imports of one table never run at once and write a new row twice; --no-lock opts out. A key held by more than one row of the table is reported in the summary. On a terminal a progress bar shows rows, rows/s and the time left. Exit codes as for `run`."
    )

    @Argument(help: "The table.")
    var table: String

    @Argument(help: "The file to read, or - for standard input (CSV unless --format says otherwise).")
    var file: String

    @Option(help: ArgumentHelp("The field (or fields, comma-separated) that identify a row; without it, insert only.", valueName: "F[,F]"))
    var key: String?

    @Option(help: ArgumentHelp("csv (default, or from the file's extension), json or jsonl.", valueName: "FORMAT"))
    var format: String?

    @Option(help: ArgumentHelp("Only these fields of each row (a name no row has is an error).", valueName: "F,…"))
    var columns: String?

    @Option(help: ArgumentHelp("Leave these fields of each row out (say, a LIST field, which cannot be written).", valueName: "F,…"))
    var skip: String?

    @Option(help: ArgumentHelp(DataJob.delimiterHelp, valueName: "CHAR"))
    var delimiter: String?

    @Option(help: ArgumentHelp("Writes in flight at once, 1 to 16 (default 4 with --key, else 1).", valueName: "N"))
    var concurrency: Int?

    @Flag(name: .customLong("dry-run"), help: "Read and look up, but send no write: log each one and sum them up (CASPIO_DRY_RUN=1).")
    var dryRun = false

    @Flag(name: .customLong("no-lock"), help: "Hold no lock: another import of the table may run at the same time.")
    var noLock = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    @OptionGroup(title: "Unattended runs")
    var unattended: UnattendedOptions

    func validate() throws {
        if let concurrency, !(1...16).contains(concurrency) { throw ValidationError("--concurrency must be 1 to 16") }
        if noLock, unattended.lockFile != nil || unattended.lockAuto || unattended.lockShown { throw ValidationError("give --lock or --no-lock, not both") }
        if columns != nil, skip != nil { throw ValidationError("give --columns or --skip, not both") }
        _ = try DataJob.delimiter(delimiter)
    }

    func run() throws {
        try DataJob.run(
            "import", job: PackageResources.import_lua,
            parameters: [
                ("table", table), ("file", file), ("key", key), ("format", format), ("columns", columns), ("skip", skip),
                ("delimiter", try DataJob.delimiter(delimiter)),
            ],
            numbers: [("concurrency", concurrency)], connection, unattended, dryRun: dryRun,
            table: table, lock: noLock ? .refused : .derived)
    }
}
