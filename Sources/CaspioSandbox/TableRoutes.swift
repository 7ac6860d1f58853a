import Foundation

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
                new.stamp = try stamp(body, v3StampKeys, changing: old.stamp)
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
                           label: json["Label"]?.string, description: json["Description"]?.string,
                           stamp: try stamp(json, v3StampKeys, changing: Store.Field.Stamp()))
    }

    /// What each version calls a TIMESTAMP field's options: on insert, on update, time zone.
    typealias StampKeys = (onInsert: String, onUpdate: String, timeZone: String)
    static let v3StampKeys: StampKeys = ("OnInsert", "OnUpdate", "TimeZone")

    /// A TIMESTAMP field's options from a body, over `old` (what a key left out keeps); a
    /// flag that is not a boolean or a time zone that is not text is refused, never ignored.
    /// An empty time zone is UTC (openapi-v3.json's default `""`).
    static func stamp(_ json: JSON, _ keys: StampKeys, changing old: Store.Field.Stamp) throws(APIError) -> Store.Field.Stamp {
        var stamp = old
        for (key, path) in [(keys.onInsert, \Store.Field.Stamp.onInsert), (keys.onUpdate, \Store.Field.Stamp.onUpdate)] {
            switch json[key] {
            case nil, .null?: break
            case .bool(let flag)?: stamp[keyPath: path] = flag
            case let other?: throw APIError.badBody("\(key) must be true or false, not \(other.encoded)")
            }
        }
        switch json[keys.timeZone] {
        case nil: break
        case .null?: stamp.timeZone = nil
        case .string(let zone)?: stamp.timeZone = zone.isEmpty ? nil : zone
        case let other?: throw APIError.badBody("\(keys.timeZone) must be the name of a time zone, not \(other.encoded)")
        }
        return stamp
    }

    /// A field's stamp options as each version reports them; other types' flags are `other`
    /// (v3: null, as openapi-v3.json allows; v4: false, as the sandbox always answered).
    static func stampJSON(_ field: Store.Field, _ keys: StampKeys, other: JSON) -> [(String, JSON)] {
        let timestamp = field.type == "TIMESTAMP"
        return [(keys.onInsert, timestamp ? .bool(field.stamp.onInsert) : other), (keys.onUpdate, timestamp ? .bool(field.stamp.onUpdate) : other),
                (keys.timeZone, field.stamp.timeZone.map(JSON.string) ?? .null)]
    }

    /// A field as `BaseColumnResult` in openapi-v3.json; `source` is a view field's `Table.Field`.
    static func fieldJSON(_ index: Int, _ field: Store.Field, source: String? = nil) -> JSON {
        let generated = FieldType.generated.contains(field.type)
        return .object([
            ("Name", .string(field.name)), ("TableFieldName", source.map(JSON.string) ?? .null), ("Type", .string(field.type)),
            ("Unique", .bool(field.unique)), ("UniqueAllowNulls", .bool(false)), ("Label", .string(field.label ?? field.name)),
            ("Description", .string(field.description ?? "")), ("DisplayOrder", .int(index + 1)),
        ] + stampJSON(field, v3StampKeys, other: .null) + [
            ("Format", .null), ("Prefix", .null), ("Length", .null), ("IsFormula", .bool(false)),
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
