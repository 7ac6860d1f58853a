import ArgumentParser
import CaspioClient
import Foundation

/// `caspio request METHOD PATH`: one request, the JSON body printed; the quickest look at an
/// endpoint.
struct RequestCommand: ParsableCommand, StopsLikeRun {
    static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Send one request and print the JSON answer (pretty on a terminal, compact in a pipe).",
        usage: "caspio request METHOD PATH [OPTIONS]",
        discussion: """
            Examples:
              caspio request GET tables
              caspio request GET tables/Customers/records --query q.where="State='CA'" --query q.limit=5
              caspio request POST tables/Customers/records --json '{"Name":"Ada"}'
              caspio request PUT tables/Customers/records --query q.where=PK_ID=7 --data @changes.json
            """
    )

    @Argument(help: "GET, POST, PUT or DELETE.")
    var method: String

    @Argument(help: "Path relative to the base URL, e.g. tables/Customers/records.")
    var path: String

    @Option(name: .shortAndLong, help: ArgumentHelp("A query parameter NAME=VALUE (repeatable).", valueName: "NAME=VALUE"))
    var query: [String] = []

    @Option(help: "A JSON body.")
    var json: String?

    @Option(help: ArgumentHelp("A JSON body read from FILE (@FILE), or - for standard input.", valueName: "@FILE"))
    var data: String?

    @Flag(name: .customLong("dry-run"), help: "Send a GET; for any other method, say what would be sent and send nothing (CASPIO_DRY_RUN=1).")
    var dryRun = false

    @OptionGroup(title: "Connection")
    var connection: ConnectionOptions

    func validate() throws {
        if json != nil && data != nil { throw ValidationError("give --json or --data, not both") }
        for item in query where !item.contains("=") {
            throw ValidationError("--query takes NAME=VALUE (got '\(item)')")
        }
    }

    func run() throws {
        let body = try requestBody()
        let pairs = query.map { item -> (String, String) in
            let parts = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            return (parts[0], parts.count > 1 ? parts[1] : "")
        }
        let request = CaspioRequest(method, path, query: pairs, body: body)
        let dry: Bool
        do { dry = try DryRun.requested(flag: dryRun) } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        if dry, !["GET", "HEAD"].contains(method.uppercased()) {
            // As in a script's dry run: the write is told, not sent (and no token is asked for).
            printError("dry run: \(method.uppercased()) \(path)\(pairs.isEmpty ? "" : "?" + pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&"))\(body.map { " (\($0.count) bytes)" } ?? ""), not sent")
            return
        }
        let response: CaspioResponse
        CommandStop.begin()
        var apiVersion = 3
        do throws(any Error) {
            let session = try CommandSession.start(connection.values)
            defer { session.close() }
            let client = try session.makeClient(scriptName: "(request)")
            apiVersion = client.configuration.apiVersion
            response = try CommandStop.awaiting { () async throws -> CaspioResponse in
                let result: Result<CaspioResponse, any Error>
                do { result = .success(try await client.send(request)) } catch { result = .failure(error) }
                await client.shutdown()
                return try result.get()
            }
        } catch let error as CaspioError {
            printError(error.description)
            throw ExitCode(error.exitStatus.rawValue)
        }
        FileHandle.standardOutput.write(Data(render(response).utf8))
        if response.status >= 400 {
            printError(response.error.description + Self.v4Hint(apiVersion: apiVersion, status: response.status, path: path))
            throw ExitCode(ExitStatus.httpError.rawValue)
        }
    }

    /// A 404 under tables/ or views/ on v4: the path may hold a name where v4 takes an id
    /// (the request is sent as given; scripts' `caspio.request` maps names to ids).
    static func v4Hint(apiVersion: Int, status: Int, path: String) -> String {
        guard apiVersion == 4, status == 404,
            let kind = ["tables", "views"].first(where: { path.hasPrefix($0 + "/") || path.hasPrefix("/" + $0 + "/") })
        else { return "" }
        let id = kind == "tables" ? "tableId" : "viewId"
        return " (REST API v4 addresses \(kind) by id, not by name: `caspio request GET \(kind)` lists each \(id); a script's caspio.request maps names to ids itself)"
    }

    private func requestBody() throws -> [UInt8]? {
        var text: Data?
        if let json { text = Data(json.utf8) }
        if let data {
            if data == "-" {
                text = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                let path = data.hasPrefix("@") ? String(data.dropFirst()) : data
                guard let contents = FileManager.default.contents(atPath: path) else {
                    throw ValidationError("cannot read \(path)")
                }
                text = contents
            }
        }
        guard let text else { return nil }
        do {
            _ = try JSONSerialization.jsonObject(with: text, options: [.fragmentsAllowed])
        } catch {
            throw ValidationError("the body is not valid JSON: \(error.localizedDescription)")
        }
        return Array(text)
    }

    /// Pretty JSON on a terminal, the body as it came otherwise.
    private func render(_ response: CaspioResponse) -> String {
        guard !response.body.isEmpty else { return "" }
        guard isatty(STDOUT_FILENO) != 0, response.isJSON,
            let object = try? JSONSerialization.jsonObject(with: Data(response.body), options: [.fragmentsAllowed]),
            let pretty = try? JSONSerialization.data(
                withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else {
            let text = String(decoding: response.body, as: UTF8.self)
            return text.hasSuffix("\n") ? text : text + "\n"
        }
        return String(decoding: pretty, as: UTF8.self) + "\n"
    }
}
