import Foundation

/// Table records (API-V4-NOTES.md, "Reading" and "Writing"), over the store v3 uses: reads with
/// select/where/orderBy/groupBy in the list envelope, one record by PK_ID, PATCH partial with
/// null clearing (PUT the same), bulk insert with a 207 per row, bulk update and delete by a
/// condition behind the tautology guard. Writes notify webhooks as v3's do.
extension Sandbox {
    static let v4RecordRoutes: [Route] = v4RecordRoutes(prefix: "tables/:tableId") { store, r in
        try store.tableSource(try store.v4Table(try r.param("tableId")))
    }

    static func v4RecordRoutes(prefix: String, source: @escaping @Sendable (Store, SandboxRequest) throws -> Store.Source) -> [Route] {
        let records = prefix + "/records", one = records + "/:recordPkId", bulk = records + "/bulk"
        return [
            Route(.get, records) { s, r in
                let query = try s.v4RecordQuery(r.query)
                let page = try s.locked { store in try store.readRecords(try source(store, r), query) }
                return s.v4Envelope(page.rows, total: page.total ?? page.rows.count, try s.v4Paging(r.query))
            },
            Route(.post, records) { s, r in
                let body = try s.jsonBody(r)
                guard case .object = body else { throw APIError.badBody("the body must be one record, a JSON object; POST …/records/bulk takes an array") }
                let (table, row) = try s.locked { store in
                    let from = try source(store, r)
                    return (from.baseTable, try store.insertRecord(from, body: body))
                }
                if let table, let row { s.notify(table, "table.recordInsert", [row]) }
                let answer = s.v4Echo(r) ? (row ?? .object([])) : .object([("PK_ID", V4Choices.pkID(row?["PK_ID"]))])
                var reply = V4Choices.single(answer, status: 201)
                if let pk = row?["PK_ID"] { reply.headers.append(("Location", "\(r.path)/\(V4Choices.pkID(pk).string ?? "")")) }
                return reply
            },
            Route(.get, one) { s, r in
                let rows = try s.locked { store in
                    let from = try source(store, r)
                    return try store.rows(from, keys: try store.matchingKeys(from, try pkFilter(r, from)))
                }
                guard let row = rows.first else { throw noRecord(r) }
                return V4Choices.single(row)
            },
            Route(.patch, one) { s, r in try s.v4UpdateOne(r, source) },
            // PUT is "symmetric with PATCH" [spec]: partial too, not a replacement.
            Route(.put, one) { s, r in try s.v4UpdateOne(r, source) },
            Route(.delete, one) { s, r in
                let (table, rows) = try s.locked { store in
                    let from = try source(store, r)
                    return (from.baseTable, try store.deleteRecords(from, filter: try pkFilter(r, from)))
                }
                guard !rows.isEmpty else { throw noRecord(r) }
                if let table { s.notify(table, "table.recordDelete", rows) }
                return SandboxResponse(status: V4Choices.singleDeleteStatus)
            },
            Route(.post, bulk) { s, r in try s.v4BulkInsert(r, source) },
            Route(.patch, bulk) { s, r in
                let body = try s.jsonBody(r)
                guard let filter = body["where"]?.string, let values = body["recordValues"], case .object = values else {
                    throw APIError(400, "IncorrectBodyParameter", "a bulk update needs where and recordValues",
                                   remediation: #"Send {"where": "State = N'CA'", "recordValues": {"Shipped": true}}."#)
                }
                let (table, rows) = try s.locked { store in
                    let from = try source(store, r)
                    let clause = try s.guarded(store, from, filter)
                    return (from.baseTable, try store.updateRecords(from, filter: clause, body: values, parameter: "where"))
                }
                let changed: [String] = if case .object(let pairs) = values { pairs.map(\.0) } else { [] }
                if let table, !rows.isEmpty { s.notify(table, "table.recordUpdate", rows, changed: changed) }
                return s.v4Affected(rows, r)
            },
            Route(.delete, bulk) { s, r in
                let body = try s.jsonBody(r)
                guard let filter = body["where"]?.string else {
                    throw APIError(400, "IncorrectBodyParameter", "a bulk delete needs where", remediation: #"Send {"where": "PK_ID IN (1, 2)"} as the JSON body."#)
                }
                let (table, rows) = try s.locked { store in
                    let from = try source(store, r)
                    let clause = try s.guarded(store, from, filter)
                    return (from.baseTable, try store.deleteRecords(from, filter: clause, parameter: "where"))
                }
                if let table, !rows.isEmpty { s.notify(table, "table.recordDelete", rows) }
                return s.v4Affected(rows, r)
            },
        ]
    }

    /// `PK_ID = n` for the path's record (a view's PK_ID is text, `'1,1'`); a table's PK_ID
    /// that is not a whole number names no record.
    static func pkFilter(_ r: SandboxRequest, _ source: Store.Source) throws -> String {
        let pk = try r.param("recordPkId")
        if source.fields.first(where: { $0.name == "PK_ID" })?.type == "STRING" {
            return "PK_ID = '\(pk.replacingOccurrences(of: "'", with: "''"))'"
        }
        guard let number = Int(pk) else { throw noRecord(r) }
        return "PK_ID = \(number)"
    }

    static func noRecord(_ r: SandboxRequest) -> APIError {
        APIError(404, "ObjectNotFound", "Cannot find a record with PK_ID '\(r.params["recordPkId"] ?? "")'")
    }

    func v4UpdateOne(_ r: SandboxRequest, _ source: (Store, SandboxRequest) throws -> Store.Source) throws -> SandboxResponse {
        let body = try jsonBody(r)
        let (table, rows) = try locked { store in
            let from = try source(store, r)
            return (from.baseTable, try store.updateRecords(from, filter: try Self.pkFilter(r, from), body: body))
        }
        guard let row = rows.first else { throw Self.noRecord(r) }
        let changed: [String] = if case .object(let pairs) = body { pairs.map(\.0) } else { [] }
        if let table { notify(table, "table.recordUpdate", rows, changed: changed) }
        return V4Choices.single(row)
    }

    /// The where clause as SQLite reads it, refused when the guard is on and it always holds.
    func guarded(_ store: Store, _ source: Store.Source, _ filter: String) throws -> String {
        let clause = SQLText.plainLiterals(filter)
        guard store.nonEmpty(clause) != nil else { throw APIError.badBody("where must not be empty") }
        if settings.tautologyGuard, try store.isAlwaysTrue(source, clause, parameter: "where") {
            throw APIError(400, V4Choices.tautologyCode, "The condition '\(filter)' is true for every row: the guard refuses it")
        }
        return clause
    }

    func v4Affected(_ rows: [JSON], _ r: SandboxRequest) -> SandboxResponse {
        var answer: [(String, JSON)] = [(V4Choices.affectedKey, .int(rows.count))]
        if v4Echo(r) { answer.append(("data", .array(rows))) }
        return .json(200, .object(answer))
    }

    /// A bare array of at most 1,000 records, each inserted on its own: 201 `{"PK_ID":[…]}` when
    /// all went in, else 207 with one item per row in input order (a failed row gets the status
    /// and message a single POST of it would get).
    /// `key` names each row in the answer (PK_ID; a directory user's UserGUID); `fill` adds
    /// what the server sets on insert (a user's Status and DateCreated).
    func v4BulkInsert(_ r: SandboxRequest, key: String = "PK_ID", fill: (JSON) -> JSON = { $0 },
                      _ source: (Store, SandboxRequest) throws -> Store.Source) throws -> SandboxResponse {
        guard case .array(let rows) = try jsonBody(r), !rows.isEmpty, rows.count <= V4Choices.maxBulkRows else {
            throw APIError(400, "IncorrectBodyParameter", "a bulk insert takes a JSON array of 1 to \(V4Choices.maxBulkRows) records",
                           remediation: "Split the rows into calls of at most \(V4Choices.maxBulkRows); each call is billed once.")
        }
        let echo = v4Echo(r)
        let (table, results) = try locked { store in
            let from = try source(store, r)
            let results = try store.transaction {
                rows.map { row -> Result<JSON, APIError> in
                    guard case .object = row else { return .failure(APIError.badBody("each record must be a JSON object")) }
                    do { return .success(try store.insertRecord(from, body: fill(row)) ?? .object([])) } catch let error as StoreError {
                        return .failure(V4Errors.error(error))
                    } catch let error as APIError {
                        return .failure(error)
                    } catch {
                        return .failure(APIError(500, "InternalError", "\(error)"))
                    }
                }
            }
            return (from.baseTable, results)
        }
        let inserted = results.compactMap { try? $0.get() }
        if let table, !inserted.isEmpty { notify(table, "table.recordInsert", inserted) }
        let ids = JSON.array(inserted.map { V4Choices.pkID($0[key]) })
        let items = results.map { result -> JSON in
            switch result {
            case .success(let row):
                var item: [(String, JSON)] = [("status", .int(201)), (key, V4Choices.pkID(row[key]))]
                if echo { item.append(("record", row)) }
                return .object(item)
            case .failure(let error): return .object([("status", .int(error.status)), ("error", .string(error.message))])
            }
        }
        let allIn = inserted.count == rows.count
        var answer: [(String, JSON)] = [(key, ids)]
        if !allIn || echo { answer.append(("data", .array(items))) }
        return .json(allIn ? 201 : 207, .object(answer))
    }
}
