import Foundation

/// Tables and fields in v4's words (API-V4-NOTES.md, "Design, schemas, account"): field items
/// in lower camel case and v4's `dataType` names for the store's (v3's) types.
enum V4Design {
    /// v3 type → v4 `dataType`. PK_ID is its own dataType in v4; v3's FILE (attachments) is
    /// v4's editable ATTACHMENT (v4's legacy FILE has no v3 counterpart in the sandbox).
    static let dataTypes: [(v3: String, v4: String)] = [
        ("STRING", "TEXT255"), ("TEXT", "TEXT64K"), ("NUMBER", "NUMBER"), ("INTEGER", "INTEGER"), ("CURRENCY", "CURRENCY"),
        ("DATE/TIME", "DATE/TIME"), ("YES/NO", "YES/NO"), ("FILE", "ATTACHMENT"), ("LIST-STRING", "LIST-STRING"),
        ("LIST-NUMBER", "LIST-NUMBER"), ("LIST-DATE/TIME", "LIST-DATE/TIME"), ("PASSWORD", "PASSWORD"),
        ("AUTONUMBER", "AUTONUMBER"), ("PREFIXED AUTONUMBER", "AUTONUMBER"), ("RANDOM ID", "RANDOM_ID"), ("GUID", "GUID"),
        ("TIMESTAMP", "TIMESTAMP"),
    ]

    /// The dataTypes a field can be created with, each once (AUTONUMBER stands for both of
    /// v3's autonumbers and is created as the plain one).
    static let creatable: [String] = dataTypes.reduce(into: []) { names, pair in
        if !names.contains(pair.v4) { names.append(pair.v4) }
    }

    static func dataType(_ field: Store.Field) -> String {
        if field.type == "AUTONUMBER", field.name.caseInsensitiveCompare("PK_ID") == .orderedSame { return "PK_ID" }
        return dataTypes.first { $0.v3 == field.type }?.v4 ?? field.type
    }

    /// A v4 `dataType` from a request as the store's type; generated ones cannot be created.
    static func storeType(_ dataType: String) throws(APIError) -> String {
        let wanted = dataType.uppercased()
        guard !["PK_ID", "FORMULA", "FILE"].contains(wanted), let type = dataTypes.first(where: { $0.v4 == wanted && $0.v3 != "PREFIXED AUTONUMBER" })?.v3 else {
            throw APIError(400, "IncorrectBodyParameter", "'\(dataType)' is not a dataType a field can be created with",
                           remediation: "Use one of \(creatable.joined(separator: ", ")).")
        }
        return type
    }

    /// The full field item, lower camel case; `tableField` is a view field's `Table.Field`.
    static func fieldJSON(_ index: Int, _ field: Store.Field, tableField: String? = nil) -> JSON {
        let generated = FieldType.generated.contains(field.type)
        var pairs: [(String, JSON)] = [
            ("name", .string(field.name)), ("dataType", .string(dataType(field))),
            ("editable", .bool(!generated && !FieldType.isList(field.type) && field.type != "PASSWORD" && tableField == nil)),
            ("unique", .bool(field.unique)), ("isFormula", .bool(false)), ("formula", .null), ("relationship", .null),
            ("label", .string(field.label ?? field.name)), ("description", .string(field.description ?? "")), ("displayOrder", .int(index + 1)),
            ("format", .null), ("prefix", .null), ("length", FieldType.textLimits[field.type].map(JSON.int) ?? .null),
            ("listField", .array([])),
        ] + Sandbox.stampJSON(field, stampKeys, other: .bool(false))
        if let tableField { pairs.insert(("tableFieldName", .string(tableField)), at: 1) }
        return .object(pairs)
    }

    /// A field from a v4 body: `name` and `dataType` required; `unique`, `label`, `description`.
    static func field(_ json: JSON) throws(APIError) -> Store.Field {
        guard case .string(let name)? = json["name"], case .string(let dataType)? = json["dataType"] else {
            throw APIError(400, "IncorrectBodyParameter", "a field needs name and dataType", remediation: #"Send {"name": "Title", "dataType": "TEXT255"}."#)
        }
        return Store.Field(name: name, type: try storeType(dataType), unique: json["unique"]?.bool ?? false,
                           label: json["label"]?.string, description: json["description"]?.string,
                           stamp: try Sandbox.stamp(json, stampKeys, changing: Store.Field.Stamp()))
    }

    static let stampKeys: Sandbox.StampKeys = ("stampOnInsert", "stampOnUpdate", "stampTimeZone")

    /// A table as `GET /v4/tables` lists it.
    static func tableJSON(id: String, name: String, fields: [Store.Field]) -> JSON {
        .object([("tableId", .string(id)), ("name", .string(name)), ("fieldCount", .int(fields.count)), ("description", .string(""))])
    }
}
