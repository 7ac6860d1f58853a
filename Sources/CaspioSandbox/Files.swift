import Foundation

/// Files per openapi-v3.json: `GET /files` (list a folder, paged), `POST /files` (multipart
/// `Files`, 201, 409 on a name clash), `PUT /files` (multipart `File`, replaces or creates),
/// `GET /files/{key}` (the bytes), `GET /files/{key}/fileInfo`, `DELETE /files/{key}` (204),
/// and the same by `path?filePath=/NAME`. Folders are external keys; the root is "".
extension Sandbox {
    func files(_ request: SandboxRequest, _ rest: [String]) throws -> SandboxResponse {
        let query = request.query
        let folder = query["externalKey"] ?? ""
        switch (request.method, rest.count) {
        case ("GET", 0):
            let size = Int(query["pageSize"] ?? "100") ?? -1, number = Int(query["pageNumber"] ?? "1") ?? -1
            guard (1...1000).contains(size), number >= 1 else { throw APIError.badQuery("pageSize must be 1-1000 and pageNumber from 1") }
            let rows = try store.locked {
                try store.db.query("SELECT \(Self.fileColumns) FROM \(Store.filesTable) WHERE folder = ? ORDER BY name LIMIT ? OFFSET ?",
                                   [.text(folder), .integer(size), .integer((number - 1) * size)])
            }
            return .json(200, .object([("Result", .array(rows.map(Self.fileInfo)))]))
        case ("POST", 0), ("PUT", 0):
            let field = request.method == "POST" ? "Files" : "File"
            let parts = Multipart.parts(request).filter { $0.field == field && $0.filename != nil }
            guard !parts.isEmpty else { throw APIError.badBody("expected multipart/form-data with a file in the field \(field)") }
            if let big = parts.first(where: { $0.data.count > settings.maxUploadBytes }) { throw tooLargeError(big.filename ?? "") }
            return try store.locked {
                try store.transaction {
                    if request.method == "POST" {
                        let items = try parts.map { try storeFile($0, folder: folder, replace: false).1 }
                        return .json(201, .object([("Result", .array(items))]))
                    }
                    let (created, item) = try storeFile(parts[0], folder: folder, replace: true)
                    return .json(created ? 201 : 200, .object([("Result", item)]))
                }
            }
        case (let method, _):
            var rest = rest
            let info = rest.last == "fileInfo"
            if info { rest.removeLast() }
            let key: String
            if rest == ["path"] {
                key = try keyForPath(query["filePath"] ?? "")
            } else if rest.count == 1 {
                key = rest[0]
            } else {
                throw APIError.notFound("Cannot find resource \(request.path)")
            }
            let found = try store.locked { try store.db.query("SELECT \(Self.fileColumns), data FROM \(Store.filesTable) WHERE key = ?", [.text(key)]) }
            guard let row = found.first else { throw APIError.notFound("Cannot find the file '\(key)'") }
            switch (method, info) {
            case ("GET", true): return .json(200, .object([("Result", Self.fileInfo(row))]))
            case ("GET", false):
                guard case .blob(let data) = row[7], case .text(let type) = row[3], case .text(let name) = row[1] else { throw APIError(500, "InternalError", "bad file row") }
                return SandboxResponse(status: 200, headers: [
                    ("Content-Type", type), ("Content-Disposition", "attachment; filename=\"\(name.replacingOccurrences(of: "\"", with: ""))\""),
                ], body: data)
            case ("DELETE", false):
                try store.locked { try store.db.query("DELETE FROM \(Store.filesTable) WHERE key = ?", [.text(key)]) }
                return SandboxResponse(status: 204)
            default: throw methodNotAllowed(method)
            }
        }
    }

    /// The answer to a body too large to read at all (the server stopped collecting it).
    func tooLarge(_ request: SandboxRequest) -> SandboxResponse {
        let requestID = UUID().uuidString.lowercased()
        var reply = tooLargeError("the request").response(resource: request.uri, requestID: requestID)
        reply.headers.append(("X-Caspio-Request-ID", requestID))
        return reply
    }

    private func tooLargeError(_ what: String) -> APIError {
        APIError(413, "RequestEntityTooLarge", "\(what) is larger than \(settings.maxUploadBytes) bytes")
    }

    static let fileColumns = "key, name, folder, content_type, length(data), created, modified"

    /// A row of `fileColumns` as `FileItem`/`FileMetadataInfo`.
    static func fileInfo(_ row: [SQLValue]) -> JSON {
        func text(_ v: SQLValue) -> JSON { if case .text(let s) = v { .string(s) } else { .null } }
        let size: JSON = if case .integer(let n) = row[4] { .int(n) } else { .int(0) }
        return .object([
            ("Name", text(row[1])), ("ExternalKey", text(row[0])), ("Size", size), ("ContentType", text(row[3])),
            ("DateCreated", text(row[5])), ("LastModified", text(row[6])),
        ])
    }

    /// Stores one upload; with `replace`, a file of the same name in the folder is overwritten.
    private func storeFile(_ part: Multipart.Part, folder: String, replace: Bool) throws -> (Bool, JSON) {
        let name = part.filename ?? ""
        guard !name.isEmpty, !name.contains("/") else { throw APIError.badBody("'\(name)' is not a valid file name") }
        let now = ISO8601DateFormatter().string(from: Date())
        let existing = try store.db.query("SELECT key FROM \(Store.filesTable) WHERE folder = ? AND name = ?", [.text(folder), .text(name)])
        if case .text(let key)? = existing.first?.first {
            guard replace else { throw APIError(409, "FileAlreadyExists", "A file named '\(name)' already exists in this folder") }
            try store.db.query("UPDATE \(Store.filesTable) SET data = ?, content_type = ?, modified = ? WHERE key = ?",
                               [.blob(part.data), .text(part.contentType), .text(now), .text(key)])
            return (false, .object([("Name", .string(name)), ("ExternalKey", .string(key))]))
        }
        let key = UUID().uuidString.lowercased()
        try store.db.query("INSERT INTO \(Store.filesTable) (key, folder, name, content_type, data, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?)",
                           [.text(key), .text(folder), .text(name), .text(part.contentType), .blob(part.data), .text(now), .text(now)])
        return (true, .object([("Name", .string(name)), ("ExternalKey", .string(key))]))
    }

    /// `/NAME` in the root folder.
    private func keyForPath(_ path: String) throws -> String {
        let name = path.hasPrefix("/") ? String(path.dropFirst()) : path
        let rows = try store.locked { try store.db.query("SELECT key FROM \(Store.filesTable) WHERE folder = '' AND name = ?", [.text(name)]) }
        guard case .text(let key)? = rows.first?.first else { throw APIError.notFound("Cannot find the file '\(path)'") }
        return key
    }
}

/// multipart/form-data bodies, split into parts.
enum Multipart {
    struct Part {
        var field: String
        var filename: String?
        var contentType: String
        var data: [UInt8]
    }

    static func parts(_ request: SandboxRequest) -> [Part] {
        guard let type = request.header("Content-Type"), type.lowercased().hasPrefix("multipart/form-data"),
            let boundaryText = type.components(separatedBy: "boundary=").last?.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        else { return [] }
        let body = request.body
        let delimiter = Array(("--" + boundaryText).utf8)
        var parts: [Part] = []
        var position = find(delimiter, in: body, from: 0)
        while let start = position {
            let headerStart = start + delimiter.count + 2  // past the delimiter and CRLF
            guard headerStart <= body.count, let headerEnd = find(Array("\r\n\r\n".utf8), in: body, from: headerStart),
                let next = find(Array("\r\n".utf8) + delimiter, in: body, from: headerEnd)
            else { break }
            let headers = String(decoding: body[headerStart..<headerEnd], as: UTF8.self)
            let data = Array(body[(headerEnd + 4)..<next])
            parts.append(Part(
                field: value("name", in: headers) ?? "", filename: value("filename", in: headers),
                contentType: headers.components(separatedBy: "\r\n").first { $0.lowercased().hasPrefix("content-type:") }
                    .map { String($0.dropFirst(13)).trimmingCharacters(in: .whitespaces) } ?? "application/octet-stream",
                data: data))
            position = next + 2
        }
        return parts
    }

    /// `name="value"` in a Content-Disposition header.
    private static func value(_ key: String, in headers: String) -> String? {
        guard let range = headers.range(of: "; \(key)=\"") ?? headers.range(of: ";\(key)=\""),
            let end = headers[range.upperBound...].firstIndex(of: "\"")
        else { return nil }
        return String(headers[range.upperBound..<end])
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var i = start
        while i <= haystack.count - needle.count {
            if haystack[i] == needle[0], haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
