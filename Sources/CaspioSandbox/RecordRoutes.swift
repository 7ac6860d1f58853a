/// Records of tables and views (openapi-v3.json `/tables/{t}/records`, `/views/{v}/records`):
/// the same operations over a `Store.Source`; writes through a view of several tables are
/// refused by the store. Writes notify the webhooks subscribed to the table.
extension Sandbox {
    static let recordRoutes: [Route] = recordRoutes(prefix: "tables/:tableName", param: "tableName") { try $0.tableSource($1) }

    static func recordRoutes(prefix: String, param: String, source: @escaping @Sendable (Store, String) throws -> Store.Source) -> [Route] {
        [
            Route(.get, prefix + "/records") { s, r in
                let query = try s.recordQuery(r.query)
                return s.recordsAnswer(try s.locked { try $0.readRecords(try source($0, try r.param(param)), query) }, query)
            },
            Route(.post, prefix + "/records") { s, r in
                let body = try s.jsonBody(r)
                let (table, row) = try s.locked { store in
                    let from = try source(store, try r.param(param))
                    return (from.baseTable, try store.insertRecord(from, body: body))
                }
                let rows = row.map { [$0] } ?? []
                if let table { s.notify(table, "table.recordInsert", rows) }
                return r.query["response"]?.lowercased() == "rows" ? .result(.array(rows), status: 201) : SandboxResponse(status: 201)
            },
            Route(.put, prefix + "/records") { s, r in
                let body = try s.jsonBody(r)
                let (table, rows) = try s.locked { store in
                    let from = try source(store, try r.param(param))
                    return (from.baseTable, try store.updateRecords(from, filter: try s.clause(r), body: body))
                }
                let changed: [String] = if case .object(let pairs) = body { pairs.map(\.0) } else { [] }
                if let table, !rows.isEmpty { s.notify(table, "table.recordUpdate", rows, changed: changed) }
                var answer: [(String, JSON)] = [("RecordsAffected", .int(rows.count))]
                if r.query["response"]?.lowercased() == "rows" { answer.append(("Result", .array(rows))) }
                return .json(200, .object(answer))
            },
            Route(.delete, prefix + "/records") { s, r in
                // A DELETE has no body; one that sends a body must say it is JSON, as Caspio requires.
                if !r.body.isEmpty { try s.requireJSON(r) }
                let (table, rows) = try s.locked { store in
                    let from = try source(store, try r.param(param))
                    return (from.baseTable, try store.deleteRecords(from, filter: try s.clause(r)))
                }
                if let table, !rows.isEmpty { s.notify(table, "table.recordDelete", rows) }
                return .json(200, .object([("RecordsAffected", .int(rows.count))]))
            },
        ]
    }
}
