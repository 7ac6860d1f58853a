/// Tables and their fields (openapi-v3.json `/tables…`): list, create, design, fields with
/// Caspio's Unique rules, and each field's get, update and delete.
extension Sandbox {
    static let tableRoutes: [Route] = [
        Route(.get, "tables") { s, _ in .result(.array(try s.locked { try $0.tableNames() }.map(JSON.string))) },
        Route(.post, "tables") { s, r in
            let body = try s.jsonBody(r)
            guard case .string(let name)? = body["Name"] else { throw APIError.badBody("Name is required") }
            guard case .array(let list)? = body["Fields"] else { throw APIError.badBody("Fields is required") }
            let fields = try list.map(fieldModel)
            try s.locked { try $0.createTable(name, fields: fields) }
            return SandboxResponse(status: 201)
        },
        Route(.get, "tables/:tableName") { s, r in
            let name = try s.locked { store in try store.fields(of: try r.param("tableName")); return try store.canonicalTable(try r.param("tableName")) }
            return .result(.object([("Name", .string(name)), ("Note", .null)]))
        },
        Route(.get, "tables/:tableName/fields") { s, r in
            let fields = try s.locked { try $0.fields(of: try r.param("tableName")) }
            return .result(.array(fields.enumerated().map { fieldJSON($0, $1) }))
        },
        Route(.post, "tables/:tableName/fields") { s, r in
            let field = try fieldModel(try s.jsonBody(r))
            try s.locked { try $0.addField(field, to: try r.param("tableName")) }
            return SandboxResponse(status: 201)
        },
        Route(.get, "tables/:tableName/fields/:fieldName") { s, r in
            let (fields, name) = (try s.locked { try $0.fields(of: try r.param("tableName")) }, try r.param("fieldName"))
            guard let index = fields.firstIndex(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw APIError.notFound("Cannot find field '\(name)'")
            }
            return .result(fieldJSON(index, fields[index]))
        },
        Route(.put, "tables/:tableName/fields/:fieldName") { s, r in
            let body = try s.jsonBody(r)
            try s.locked { store in
                let table = try r.param("tableName")
                let old = try store.field(try r.param("fieldName"), of: table)
                var new = old
                if case .string(let name)? = body["Name"] { new.name = name }
                if case .string(let type)? = body["Type"] { new.type = type.uppercased() }
                if case .bool(let unique)? = body["Unique"] { new.unique = unique }
                if case .string(let label)? = body["Label"] { new.label = label }
                if case .string(let text)? = body["Description"] { new.description = text }
                try store.updateField(old.name, of: table, to: new)
            }
            return .noContent
        },
        Route(.delete, "tables/:tableName/fields/:fieldName") { s, r in
            try s.locked { try $0.deleteField(try r.param("fieldName"), of: try r.param("tableName")) }
            return .noContent
        },
    ]

    static func fieldModel(_ json: JSON) throws(APIError) -> Store.Field {
        guard case .string(let name)? = json["Name"], case .string(let type)? = json["Type"] else {
            throw APIError.badBody("a field needs Name and Type")
        }
        return Store.Field(name: name, type: type.uppercased(), unique: json["Unique"]?.bool ?? false,
                           label: json["Label"]?.string, description: json["Description"]?.string)
    }

    /// A field as `BaseColumnResult` in openapi-v3.json; `source` is a view field's `Table.Field`.
    static func fieldJSON(_ index: Int, _ field: Store.Field, source: String? = nil) -> JSON {
        let generated = FieldType.generated.contains(field.type)
        return .object([
            ("Name", .string(field.name)), ("TableFieldName", source.map(JSON.string) ?? .null), ("Type", .string(field.type)),
            ("Unique", .bool(field.unique)), ("UniqueAllowNulls", .bool(false)), ("Label", .string(field.label ?? field.name)),
            ("Description", .string(field.description ?? "")), ("DisplayOrder", .int(index + 1)), ("OnInsert", .null), ("OnUpdate", .null),
            ("TimeZone", .null), ("Format", .null), ("Prefix", .null), ("Length", .null), ("IsFormula", .bool(false)),
            ("ListField", FieldType.isList(field.type) ? .object([]) : .null), ("Editable", .bool(!generated && source == nil)),
        ])
    }
}

extension Store {
    /// The table's name as it was created (routes may receive another case).
    func canonicalTable(_ name: String) throws -> String {
        try tableNames().first { $0.caseInsensitiveCompare(name) == .orderedSame } ?? name
    }
}
