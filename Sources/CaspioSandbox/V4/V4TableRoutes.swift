import Foundation

/// Table design (API-V4-NOTES.md: 8 operations): tables by their six-character id, fields by
/// name, lists paged; no table DELETE (405 by design). The store's rules are v3's.
extension Sandbox {
    static let v4TableRoutes: [Route] = [
        Route(.get, "tables") { s, r in
            let items = try s.locked { store in try store.v4Tables().map { V4Design.tableJSON(id: $0.id, name: $0.name, fields: try store.fields(of: $0.name)) } }
            return try s.v4List(items, r.query)
        },
        Route(.post, "tables") { s, r in
            let body = try s.jsonBody(r)
            guard case .string(let name)? = body["name"], case .array(let list)? = body["fields"] else {
                throw APIError(400, "IncorrectBodyParameter", "a table needs name and fields",
                               remediation: #"Send {"name": "Orders", "fields": [{"name": "Title", "dataType": "TEXT255"}]}; PK_ID is added."#)
            }
            let fields = try list.map(V4Design.field)
            let table = try s.locked { store in
                try store.createTable(name, fields: fields)
                return V4Design.tableJSON(id: try store.v4TableID(name), name: name, fields: try store.fields(of: name))
            }
            return V4Choices.single(table, status: 201)
        },
        Route(.get, "tables/:tableId") { s, r in
            V4Choices.single(try s.locked { store in
                let name = try store.v4Table(try r.param("tableId"))
                return V4Design.tableJSON(id: try r.param("tableId").lowercased(), name: name, fields: try store.fields(of: name))
            })
        },
        Route(.delete, "tables/:tableId") { _, _ in throw structuralDelete("a table") },
        Route(.get, "tables/:tableId/fields") { s, r in
            let fields = try s.locked { store in try store.fields(of: try store.v4Table(try r.param("tableId"))) }
            return try s.v4List(fields.enumerated().map { V4Design.fieldJSON($0, $1) }, r.query)
        },
        Route(.post, "tables/:tableId/fields") { s, r in
            let field = try V4Design.field(try s.jsonBody(r))
            let (index, added) = try s.locked { store in
                let table = try store.v4Table(try r.param("tableId"))
                try store.addField(field, to: table)
                let fields = try store.fields(of: table)
                return (fields.count - 1, fields[fields.count - 1])
            }
            return V4Choices.single(V4Design.fieldJSON(index, added), status: 201)
        },
        Route(.get, "tables/:tableId/fields/:fieldName") { s, r in
            let (index, field) = try s.locked { store in try v4Field(store, r) }
            return V4Choices.single(V4Design.fieldJSON(index, field))
        },
        Route(.patch, "tables/:tableId/fields/:fieldName") { s, r in
            let body = try s.jsonBody(r)
            let (index, field) = try s.locked { store in
                let table = try store.v4Table(try r.param("tableId"))
                let old = try store.field(try r.param("fieldName"), of: table)
                var new = old
                if case .string(let name)? = body["name"] { new.name = name }
                if case .string(let type)? = body["dataType"] { new.type = try V4Design.storeType(type) }
                if case .bool(let unique)? = body["unique"] { new.unique = unique }
                if case .string(let label)? = body["label"] { new.label = label }
                if case .string(let text)? = body["description"] { new.description = text }
                new.stamp = try Sandbox.stamp(body, V4Design.stampKeys, changing: old.stamp)
                try store.updateField(old.name, of: table, to: new)
                let fields = try store.fields(of: table)
                let index = fields.firstIndex { $0.name == new.name } ?? 0
                return (index, fields[index])
            }
            return V4Choices.single(V4Design.fieldJSON(index, field))
        },
        Route(.delete, "tables/:tableId/fields/:fieldName") { s, r in
            try s.locked { store in try store.deleteField(try r.param("fieldName"), of: try store.v4Table(try r.param("tableId"))) }
            return .noContent
        },
    ]

    /// The field a path names, with its place in the table.
    static func v4Field(_ store: Store, _ r: SandboxRequest) throws -> (Int, Store.Field) {
        let table = try store.v4Table(try r.param("tableId"))
        let fields = try store.fields(of: table), name = try r.param("fieldName")
        guard let index = fields.firstIndex(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw APIError.notFound("Cannot find field '\(name)' in '\(table)'")
        }
        return (index, fields[index])
    }

    /// 405 by design (API-V4-NOTES.md): tables, folders and Flex apps are not deleted through the API.
    static func structuralDelete(_ what: String) -> APIError {
        var error = APIError(405, V4Choices.structuralDeleteCode, "The API does not delete \(what), by design")
        error.headers = [("Allow", "GET")]
        return error
    }
}
