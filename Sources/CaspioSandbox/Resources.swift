/// Routes a resource request (the path after the API prefix) to tables, records or files.
extension Sandbox {
    func resource(_ request: SandboxRequest, _ parts: [String]) throws -> SandboxResponse {
        let method = request.method
        switch (parts.first, parts.count) {
        case ("tables", 1):
            switch method {
            case "GET": return .json(200, .object([("Result", .array(try store.locked { try store.tableNames() }.map(JSON.string)))]))
            case "POST":
                let body = try jsonBody(request)
                guard case .string(let name)? = body["Name"] else { throw APIError.badBody("Name is required") }
                guard case .array(let list)? = body["Fields"] else { throw APIError.badBody("Fields is required") }
                let fields = try list.map(fieldModel)
                try store.locked { try store.createTable(name, fields: fields) }
                return SandboxResponse(status: 201)
            default: throw methodNotAllowed(method)
            }
        case ("tables", 3) where parts[2] == "fields":
            switch method {
            case "GET":
                let fields = try store.locked { try store.fields(of: parts[1]) }
                return .json(200, .object([("Result", .array(fields.enumerated().map(Self.fieldJSON)))]))
            case "POST":
                let field = try fieldModel(try jsonBody(request))
                try store.locked { try store.addField(field, to: parts[1]) }
                return SandboxResponse(status: 201)
            default: throw methodNotAllowed(method)
            }
        case ("tables", 3) where parts[2] == "records":
            return try records(request, table: parts[1])
        case ("files", _):
            return try files(request, Array(parts.dropFirst()))
        default:
            throw APIError.notFound("Cannot find resource \(request.path)")
        }
    }

    private func records(_ request: SandboxRequest, table: String) throws -> SandboxResponse {
        let query = request.query
        let rowsWanted = query["response"]?.lowercased() == "rows"
        switch request.method {
        case "GET":
            return .json(200, try store.locked { try store.getRecords(table, query: query) })
        case "POST":
            let body = try jsonBody(request)
            let row = try store.locked { try store.insertRecord(table, body: body) }
            return rowsWanted ? .json(201, .object([("Result", .array([row]))])) : SandboxResponse(status: 201)
        case "PUT":
            let body = try jsonBody(request)
            let (count, rows) = try store.locked { try store.updateRecords(table, query: query, body: body) }
            var answer: [(String, JSON)] = [("RecordsAffected", .int(count))]
            if rowsWanted { answer.append(("Result", .array(rows))) }
            return .json(200, .object(answer))
        case "DELETE":
            // A DELETE has no body; one that sends a body must say it is JSON, as Caspio requires.
            if !request.body.isEmpty { try requireJSON(request) }
            let count = try store.locked { try store.deleteRecords(table, query: query) }
            return .json(200, .object([("RecordsAffected", .int(count))]))
        default:
            throw methodNotAllowed(request.method)
        }
    }

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

    private func fieldModel(_ json: JSON) throws(APIError) -> Store.Field {
        guard case .string(let name)? = json["Name"], case .string(let type)? = json["Type"] else {
            throw APIError.badBody("a field needs Name and Type")
        }
        return Store.Field(name: name, type: type.uppercased())
    }

    /// A field as `BaseColumnResult` in openapi-v3.json.
    static func fieldJSON(_ index: Int, _ field: Store.Field) -> JSON {
        .object([
            ("Name", .string(field.name)), ("Type", .string(field.type)), ("Unique", .bool(field.type == "AUTONUMBER")),
            ("UniqueAllowNulls", .bool(false)), ("Label", .string(field.name)), ("Description", .string("")),
            ("DisplayOrder", .int(index + 1)), ("OnInsert", .null), ("OnUpdate", .null), ("TimeZone", .null),
            ("Format", .null), ("Prefix", .null), ("Length", .null), ("IsFormula", .bool(false)),
            ("Editable", .bool(field.type != "AUTONUMBER")),
        ])
    }

    func methodNotAllowed(_ method: String) -> APIError {
        APIError(405, "MethodNotAllowed", "\(method) is not allowed here")
    }
}
