import Foundation

/// Data import/export tasks (openapi-v3.json `/dataImportExportTasks…`, `/v2/tasks`), defined in
/// the seed: an export writes a table to a CSV file in a folder, an import adds a CSV file's
/// rows to a table. `run` does the work before answering 204.
extension Sandbox {
    static let taskRoutes: [Route] = [
        Route(.get, "dataImportExportTasks") { s, _ in .result(.array(try s.locked { try $0.objects("task") }.map { taskJSON($0.body) })) },
        Route(.get, "dataImportExportTasks/:externalKey") { s, r in
            .result(taskJSON(try s.locked { try $0.object("task", try r.param("externalKey"), what: "task") }))
        },
        Route(.post, "dataImportExportTasks/:externalKey/run") { s, r in
            let (table, added) = try s.locked { store in try store.runTask(try store.object("task", try r.param("externalKey"), what: "task")) }
            // Tasks are an event source of their own: webhook events that list it hear of imports.
            if !added.isEmpty { s.notify(table, "table.recordInsert", added, source: "Tasks") }
            return .noContent
        },
    ]

    static func taskJSON(_ task: JSON) -> JSON {
        .object(["Name", "ExternalKey", "Status", "TaskTimeZone", "Frequency", "Note"].map { ($0, task[$0] ?? .null) })
    }
}

extension Store {
    /// Runs an export or import task; returns the table and, for an import, the rows added.
    func runTask(_ task: JSON) throws -> (String, [JSON]) {
        guard let table = task["Table"]?.string, let folderPath = task["Folder"]?.string, let fileName = task["FileName"]?.string else {
            throw StoreError.invalid("the task '\(task["Name"]?.string ?? "")' is not defined completely")
        }
        let source = try tableSource(table)
        let folder = try folderKey(path: folderPath)
        if task["Kind"]?.string == "Import" {
            let file = try file(try fileKey(path: folderPath + "/" + fileName))
            var lines = CSV.parse(String(decoding: file.data, as: UTF8.self))
            guard !lines.isEmpty else { return (table, []) }
            let header = lines.removeFirst()
            return (table, try transaction {
                try lines.compactMap { line in
                    let pairs = zip(header, line).filter { !$0.1.isEmpty }.map { name, cell in
                        (name, FieldType.fromText(cell, type: source.fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.type ?? ""))
                    }
                    return try insertRecord(source, body: .object(pairs))
                }
            })
        }
        var query = RecordQuery()
        query.limit = Int.max
        let rows = try readRecords(source, query).rows
        var text = CSV.line(source.fields.map(\.name))
        for row in rows {
            text += CSV.line(source.fields.map { field in
                switch row[field.name] ?? .null {
                case .null: ""
                case .string(let s): s
                case let other: other.encoded
                }
            })
        }
        _ = try storeFile(name: fileName, contentType: "text/csv", data: Array(text.utf8), folder: folder, replace: true)
        return (table, [])
    }
}

/// CSV as tasks write and read it: comma-separated, CRLF lines, quotes doubled inside quotes.
enum CSV {
    static func line(_ fields: [String]) -> String {
        fields.map { $0.contains(where: { ",\"\r\n".contains($0) }) ? "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : $0 }
            .joined(separator: ",") + "\r\n"
    }

    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var chars = Array(text)[...]
        while let ch = chars.popFirst() {
            if quoted {
                if ch == "\"" {
                    if chars.first == "\"" { field.append("\""); chars.removeFirst() } else { quoted = false }
                } else { field.append(ch) }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                row.append(field); field = ""
            } else if ch == "\n" || ch == "\r\n" || ch == "\r" {
                row.append(field); field = ""
                rows.append(row); row = []
            } else { field.append(ch) }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows.filter { $0 != [""] }
    }
}
