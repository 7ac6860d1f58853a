import MultipartKit

/// What the routes share: bodies, record queries as Caspio parses them, multipart uploads.
extension Sandbox {
    func requireJSON(_ request: SandboxRequest) throws(APIError) {
        guard request.header("Content-Type")?.lowercased().hasPrefix("application/json") == true else {
            throw APIError(415, "UnsupportedMediaType", "Content-Type must be application/json")
        }
    }

    func jsonBody(_ request: SandboxRequest) throws(APIError) -> JSON {
        try requireJSON(request)
        guard let body = JSON.parse(request.body) else { throw APIError.badBody("the body is not valid JSON") }
        return body
    }

    /// The q.* parameters of a GET (API-NOTES.md, "Records"): q.pageNumber/q.pageSize when
    /// either is given (q.limit is then ignored), else q.limit (default 100, at most 1,000).
    func recordQuery(_ query: [String: String]) throws(APIError) -> Store.RecordQuery {
        var result = Store.RecordQuery(select: query["q.select"], filter: query["q.where"], groupBy: query["q.groupBy"], orderBy: query["q.orderBy"])
        if query["q.pageNumber"] != nil || query["q.pageSize"] != nil {
            guard let size = Int(query["q.pageSize"] ?? "25"), (5...Store.maxRows).contains(size) else {
                throw APIError.badQuery("q.pageSize must be an integer from 5 to 1000")
            }
            guard let number = Int(query["q.pageNumber"] ?? "1"), number >= 1 else {
                throw APIError.badQuery("q.pageNumber must be an integer from 1")
            }
            result.limit = size
            result.offset = (number - 1) * size
            result.countTotal = query["q.getPaginationInfo"]?.lowercased() == "true"
        } else {
            guard let limit = Int(query["q.limit"] ?? "100"), limit >= 0 else { throw APIError.badQuery("q.limit must be a non-negative integer") }
            result.limit = min(limit, Store.maxRows)
        }
        result.shuffleSeed = shuffleSeed()
        return result
    }

    /// `{"Result": rows}` plus `Pagination` when it was asked for.
    func recordsAnswer(_ page: (rows: [JSON], total: Int?), _ query: Store.RecordQuery) -> SandboxResponse {
        var body: [(String, JSON)] = [("Result", .array(page.rows))]
        if let total = page.total {
            body.append(("Pagination", .object([
                ("TotalCount", .int(total)), ("PageNumber", .int(query.offset / max(query.limit, 1) + 1)), ("PageSize", .int(query.limit)),
            ])))
        }
        return .json(200, .object(body))
    }

    /// The request's clause for writes: `q.where`, or `Where` for directory users.
    func clause(_ request: SandboxRequest, _ name: String = "q.where") throws(APIError) -> String {
        guard let clause = request.query[name], !clause.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.badQuery("\(name) is required")
        }
        return clause
    }

    /// The uploaded files of a multipart/form-data body in `field`; 400 when there are none,
    /// 413 when one is larger than the limit.
    func uploads(_ request: SandboxRequest, field: String) throws(APIError) -> [Multipart.Part] {
        let parts = Multipart.parts(request).filter { $0.field == field && $0.filename != nil }
        guard !parts.isEmpty else { throw APIError.badBody("expected multipart/form-data with a file in the field \(field)") }
        if let big = parts.first(where: { $0.data.count > settings.maxUploadBytes }) {
            throw APIError.tooLarge(limit: settings.maxUploadBytes, big.filename ?? "the file")
        }
        return parts
    }

    func locked<T>(_ body: (Store) throws -> T) throws -> T { try store.locked { try body(store) } }
}

/// multipart/form-data bodies, parsed by MultipartKit.
enum Multipart {
    struct Part {
        var field: String
        var filename: String?
        var contentType: String
        var data: [UInt8]
    }

    static func parts(_ request: SandboxRequest) -> [Part] {
        guard let type = request.header("Content-Type"), type.lowercased().hasPrefix("multipart/form-data"),
            let boundary = parameter("boundary", in: type)
        else { return [] }
        var parts: [Part] = []
        var headers: [(String, String)] = [], data: [UInt8] = []
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { headers.append(($0, $1)) }
        parser.onBody = { data += $0.readBytes(length: $0.readableBytes) ?? [] }
        parser.onPartComplete = {
            let disposition = headers.first { $0.0.lowercased() == "content-disposition" }?.1 ?? ""
            let type = headers.first { $0.0.lowercased() == "content-type" }?.1 ?? "application/octet-stream"
            parts.append(Part(field: parameter("name", in: disposition) ?? "", filename: parameter("filename", in: disposition), contentType: type, data: data))
            headers = []
            data = []
        }
        do { try parser.execute(request.body) } catch { return [] }
        return parts
    }

    /// `key=value` or `key="value"` among a header value's `;`-separated parameters.
    static func parameter(_ key: String, in header: String) -> String? {
        for item in header.split(separator: ";").dropFirst() {
            let pair = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == key else { continue }
            return pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2 ? String(pair[1].dropFirst().dropLast()) : pair[1]
        }
        return nil
    }
}
