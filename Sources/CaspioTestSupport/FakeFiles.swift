import Foundation

/// In-memory files and attachments behind FakeCaspio: multipart uploads (`Files` on POST,
/// `File` on PUT), downloads by key or path, paged listing, deletion.
public struct FakeFiles: Sendable {
    public struct StoredFile: Sendable {
        public var name: String
        public var key: String
        public var folder: String
        public var contentType: String
        public var data: [UInt8]
    }

    public var files: [StoredFile] = []
    public var attachments: [String: StoredFile] = [:]

    public init() {}

    mutating func handle(_ request: TestHTTPServer.Request, path: String) -> TestHTTPServer.Reply? {
        let parts = path.split(separator: "/").map { String($0).removingPercentEncoding ?? String($0) }
        if parts.first == "tables", parts.count == 5, parts[2] == "attachments" {
            let id = parts[1] + "/" + parts[3] + "/" + parts[4]
            if request.method == "PUT" {
                guard let upload = Self.multipart(request, field: "File") else { return badRequest("expected a multipart field File") }
                attachments[id] = StoredFile(name: upload.name, key: id, folder: "", contentType: upload.type, data: upload.data)
                return TestHTTPServer.Reply(status: 204)
            }
            guard let file = attachments[id] else { return notFound("no attachment \(id)") }
            return TestHTTPServer.Reply(status: 200, headers: [("Content-Type", file.contentType)], body: file.data)
        }
        guard parts.first == "files" else { return nil }
        let query = request.query
        switch (request.method, parts.count) {
        case ("GET", 1):
            let size = Int(query["pageSize"] ?? "100") ?? 100
            let number = Int(query["pageNumber"] ?? "1") ?? 1
            let folder = query["externalKey"] ?? ""
            let page = files.filter { $0.folder == folder }.dropFirst((number - 1) * size).prefix(size)
            return .json(200, ["Result": page.map { ["Name": $0.name, "ExternalKey": $0.key, "Size": $0.data.count, "ContentType": $0.contentType] }])
        case ("POST", 1), ("PUT", 1):
            let field = request.method == "POST" ? "Files" : "File"
            guard let upload = Self.multipart(request, field: field) else { return badRequest("expected a multipart field \(field)") }
            let folder = query["externalKey"] ?? ""
            if let index = files.firstIndex(where: { $0.folder == folder && $0.name == upload.name }) {
                guard request.method == "PUT" else {
                    return .json(409, ["Code": "FileAlreadyExists", "Message": "A file named \(upload.name) already exists"])
                }
                files[index].data = upload.data
                return .json(200, ["Result": ["Name": upload.name, "ExternalKey": files[index].key]])
            }
            let file = StoredFile(name: upload.name, key: UUID().uuidString.lowercased(), folder: folder, contentType: upload.type, data: upload.data)
            files.append(file)
            let item: [String: Any] = ["Name": file.name, "ExternalKey": file.key]
            return request.method == "POST" ? .json(201, ["Result": [item]]) : .json(201, ["Result": item])
        case (let method, _):
            let file: Int?
            var rest = Array(parts.dropFirst())
            let info = rest.last == "fileInfo"
            if info { rest.removeLast() }
            if rest == ["path"] {
                let wanted = query["filePath"] ?? ""
                file = files.firstIndex { "/" + ($0.folder.isEmpty ? "" : $0.folder + "/") + $0.name == wanted }
            } else if rest.count == 1 {
                file = files.firstIndex { $0.key == rest[0] }
            } else {
                return notFound("no such resource")
            }
            guard let file else { return notFound("Cannot find the file") }
            if method == "DELETE" {
                files.remove(at: file)
                return TestHTTPServer.Reply(status: 204)
            }
            let stored = files[file]
            if info { return .json(200, ["Result": ["Name": stored.name, "ExternalKey": stored.key, "Size": stored.data.count]]) }
            return TestHTTPServer.Reply(status: 200, headers: [("Content-Type", stored.contentType)], body: stored.data)
        }
    }

    private func badRequest(_ message: String) -> TestHTTPServer.Reply {
        .json(400, ["Code": "IncorrectBodyParameter", "Message": message])
    }

    private func notFound(_ message: String) -> TestHTTPServer.Reply {
        .json(404, ["Code": "ObjectNotFound", "Message": message])
    }

    /// The first part named `field`: its file name, content type and bytes.
    static func multipart(_ request: TestHTTPServer.Request, field: String) -> (name: String, type: String, data: [UInt8])? {
        guard let contentType = request.header("Content-Type"), contentType.hasPrefix("multipart/form-data"),
            let boundary = contentType.components(separatedBy: "boundary=").last
        else { return nil }
        let body = request.body
        let delimiter = Array(("--" + boundary).utf8)
        let separator = Array("\r\n\r\n".utf8)
        guard let first = find(delimiter, in: body, from: 0),
            let headersEnd = find(separator, in: body, from: first),
            let closing = find(Array(("\r\n--" + boundary).utf8), in: body, from: headersEnd)
        else { return nil }
        let headers = String(decoding: body[first..<headersEnd], as: UTF8.self)
        guard headers.contains("name=\"\(field)\""),
            let nameStart = headers.range(of: "filename=\"")?.upperBound,
            let nameEnd = headers[nameStart...].firstIndex(of: "\"")
        else { return nil }
        let type = headers.components(separatedBy: "Content-Type: ").dropFirst().first?
            .components(separatedBy: "\r\n").first ?? "application/octet-stream"
        return (String(headers[nameStart..<nameEnd]), type, Array(body[(headersEnd + separator.count)..<closing]))
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard needle.count <= haystack.count else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0], Array(haystack[i..<(i + needle.count)]) == needle { return i }
            i += 1
        }
        return nil
    }
}
