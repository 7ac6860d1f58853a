import Foundation

/// What v4's routes share (API-V4-NOTES.md, "Reading"): parameters without the `q.` prefix,
/// the `data`/`pagination` envelope and its paging rules, table ids.
extension Sandbox {
    /// How a v4 list was asked for: pageNumber/pageSize when either is given (pageSize 5-1000,
    /// default 25; `limit` then ignored), else `limit` (1-1000, default 100). `offset` is ignored.
    struct V4Paging {
        var limit: Int
        var offset: Int
        var pageNumber: Int

        /// API-V4-NOTES.md [spec]: the ranges and defaults of pageSize and limit.
        static let pageSizes = 5...Store.maxRows, defaultPageSize = 25
        static let limits = 1...Store.maxRows, defaultLimit = 100
    }

    func v4Paging(_ query: [String: String]) throws(APIError) -> V4Paging {
        try v4RefuseQPrefix(query)
        if query["pageNumber"] != nil || query["pageSize"] != nil {
            guard let size = Int(query["pageSize"] ?? String(V4Paging.defaultPageSize)), V4Paging.pageSizes.contains(size) else {
                throw APIError.badQuery("pageSize must be an integer from \(V4Paging.pageSizes.lowerBound) to \(V4Paging.pageSizes.upperBound)")
            }
            guard let number = Int(query["pageNumber"] ?? "1"), number >= 1 else { throw APIError.badQuery("pageNumber must be an integer from 1") }
            return V4Paging(limit: size, offset: (number - 1) * size, pageNumber: number)
        }
        // Out of range is refused, not capped (V4Choices, docs/sandbox.md).
        guard let limit = Int(query["limit"] ?? String(V4Paging.defaultLimit)), V4Paging.limits.contains(limit) else {
            throw APIError.badQuery("limit must be an integer from \(V4Paging.limits.lowerBound) to \(V4Paging.limits.upperBound)")
        }
        return V4Paging(limit: limit, offset: 0, pageNumber: V4Choices.unpagedPageNumber)
    }

    /// v3's `q.` names are not v4's: refused with the v4 spelling as the remedy.
    func v4RefuseQPrefix(_ query: [String: String]) throws(APIError) {
        guard let name = query.keys.sorted().first(where: { $0.lowercased().hasPrefix("q.") }) else { return }
        let plain = String(name.dropFirst(2))
        throw APIError(V4Choices.qPrefixStatus, "IncorrectQueryParameter", "'\(name)' is a v3 parameter: v4 does not take the q. prefix",
                       remediation: "Send '\(plain)' instead of '\(name)' (v4 takes select, where, orderBy, groupBy, limit, pageNumber, pageSize).")
    }

    /// A records GET's clauses and paging; `N'…'` literals become SQLite's.
    func v4RecordQuery(_ query: [String: String]) throws(APIError) -> Store.RecordQuery {
        let paging = try v4Paging(query)
        func clause(_ name: String) -> String? { query[name].map(SQLText.plainLiterals) }
        var result = Store.RecordQuery(select: clause("select"), filter: clause("where"), groupBy: clause("groupBy"), orderBy: clause("orderBy"))
        if !settings.checksumFunctions {
            for name in ["select", "where", "groupBy", "orderBy"] {
                for word in SQLText.words(in: query[name] ?? "") where V4Choices.checksumFunctions.contains(word.uppercased()) {
                    throw APIError(400, "IncorrectQueryParameter", "'\(word)' is not allowed in \(name)",
                                   remediation: "Read the rows instead; this account's clauses do not take \(V4Choices.checksumFunctions.joined(separator: " or ")).")
                }
            }
        }
        result.limit = paging.limit
        result.offset = paging.offset
        result.countTotal = true
        result.prefix = ""
        result.shuffleSeed = shuffleSeed()
        return result
    }

    /// `{"data": items, "pagination": {totalCount, pageNumber, pageSize}}`.
    func v4Envelope(_ items: [JSON], total: Int, _ paging: V4Paging) -> SandboxResponse {
        .json(200, .object([
            ("data", .array(items)),
            ("pagination", .object([("totalCount", .int(total)), ("pageNumber", .int(paging.pageNumber)), ("pageSize", .int(paging.limit))])),
        ]))
    }

    /// A whole list (tables, fields, views…) paged by the request.
    func v4List(_ items: [JSON], _ query: [String: String]) throws(APIError) -> SandboxResponse {
        let paging = try v4Paging(query)
        return v4Envelope(Array(items.dropFirst(paging.offset).prefix(paging.limit)), total: items.count, paging)
    }

    /// `echo=true` asks writes for the records they touched.
    func v4Echo(_ request: SandboxRequest) -> Bool { request.query["echo"]?.lowercased() == "true" }
}

extension Store {
    /// The account's tables with their v4 ids, by name (V4Choices.tableID; a collision takes
    /// the next attempt, in name order, so ids repeat from start to start).
    func v4Tables() throws -> [(id: String, name: String)] {
        var taken = Set<String>()
        return try tableNames().map { name in
            var attempt = 0
            while taken.contains(V4Choices.tableID(name, attempt: attempt)) { attempt += 1 }
            let id = V4Choices.tableID(name, attempt: attempt)
            taken.insert(id)
            return (id, name)
        }
    }

    /// The table a v4 id names; not found when none does (a name is not an id).
    func v4Table(_ id: String) throws -> String {
        guard let table = try v4Tables().first(where: { $0.id == id.lowercased() }) else {
            throw StoreError.notFound("Cannot find a table with tableId '\(id)'")
        }
        return table.name
    }

    func v4TableID(_ name: String) throws -> String {
        try v4Tables().first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.id ?? V4Choices.tableID(name)
    }
}
