import SQLiteLayer

/// Password fields (openapi-v3.json `/tables/{t}/passwordFields…`): listed, set and cleared
/// here only; records never show them and clauses may not name them (`Store.readRecords`).
extension Sandbox {
    static let passwordRoutes: [Route] = [
        Route(.get, "tables/:tableName/passwordFields") { s, r in
            let fields = try s.locked { try $0.fields(of: try r.param("tableName")) }
            return .result(.array(fields.filter { $0.type == "PASSWORD" }.map { .string($0.name) }))
        },
        Route(.put, "tables/:tableName/passwordFields/:passwordFieldName") { s, r in
            let body = try s.jsonBody(r)
            guard case .string(let value)? = body["Value"] else { throw APIError.badBody("Value is required") }
            let count = try s.setPassword(r, .text(value))
            return .json(200, .object([("RecordsAffected", .int(count))]))
        },
        Route(.delete, "tables/:tableName/passwordFields/:passwordFieldName") { s, r in
            .json(200, .object([("RecordsAffected", .int(try s.setPassword(r, .null)))]))
        },
    ]

    private func setPassword(_ r: SandboxRequest, _ value: SQLValue) throws -> Int {
        let filter = try clause(r)
        return try locked { store in
            let table = try r.param("tableName")
            let field = try store.field(try r.param("passwordFieldName"), of: table)
            guard field.type == "PASSWORD" else { throw APIError.badBody("'\(field.name)' is not a password field") }
            let keys = try store.matchingKeys(try store.tableSource(table), filter)
            try store.setValues(table, [(field.name, value)], keys: keys)
            return keys.count
        }
    }
}
