#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Directories and their users (openapi-v3.json `/directories…`): users are records of a
/// table of the sandbox's own, read with the usual q.* set but changed and deleted by `Where`
/// (capital W, API-NOTES.md "Quirks"); activation answers an ActivationUrl, 409 when the user
/// is already active.
extension Sandbox {
    static let directoryRoutes: [Route] = [
        Route(.get, "directories") { s, _ in
            .result(.array(try s.locked { store in try store.objects("directory").map { try directoryJSON($0.body, store) } }))
        },
        Route(.get, "directories/:directoryId/users") { s, r in
            let query = try s.recordQuery(r.query)
            let page = try s.locked { store in try store.readRecords(try store.usersSource(try r.param("directoryId")), query) }
            return s.recordsAnswer(page, query)
        },
        Route(.post, "directories/:directoryId/users") { s, r in
            let body = try s.jsonBody(r)
            let row = try s.locked { store in
                let source = try store.usersSource(try r.param("directoryId"))
                let withStatus = body["Status"] == nil ? body.setting("Status", .string("Inactive")) : body
                return try store.insertRecord(source, body: withStatus.setting("DateCreated", .string(CaspioDate.now(store.clock))), trusted: false)
            }
            return r.query["response"]?.lowercased() == "rows" ? .result(.array(row.map { [$0] } ?? []), status: 201) : SandboxResponse(status: 201)
        },
        Route(.put, "directories/:directoryId/users") { s, r in
            let (body, filter) = (try s.jsonBody(r), try s.clause(r, "Where"))
            let rows = try s.locked { store in try store.updateRecords(try store.usersSource(try r.param("directoryId")), filter: filter, body: body) }
            var answer: [(String, JSON)] = [("UsersAffected", .int(rows.count))]
            if r.query["response"]?.lowercased() == "rows" { answer.append(("Result", .array(rows))) }
            return .json(200, .object(answer))
        },
        Route(.delete, "directories/:directoryId/users") { s, r in
            let filter = try s.clause(r, "Where")
            let rows = try s.locked { store in try store.deleteRecords(try store.usersSource(try r.param("directoryId")), filter: filter) }
            return .json(200, .object([("UsersAffected", .int(rows.count))]))
        },
        Route(.post, "directories/:directoryId/users/activate") { s, r in
            let body = try s.jsonBody(r)
            guard case .string(let guid)? = body["UserGUID"], UUID(uuidString: guid) != nil else { throw APIError.badBody("UserGUID must be a GUID") }
            try s.locked { store in
                let source = try store.usersSource(try r.param("directoryId"))
                let filter = "UserGUID = '\(guid.lowercased())'"
                guard let user = try store.rows(source, keys: try store.matchingKeys(source, filter)).first else {
                    throw StoreError.notFound("Cannot find the user '\(guid)'")
                }
                guard user["Status"]?.string != "Active" else { throw StoreError.conflict("The user '\(guid)' is already active") }
                _ = try store.updateRecords(source, filter: filter, body: .object([("Status", .string("Active"))]))
            }
            return .result(.object([("ActivationUrl", .string("https://ACCOUNT.caspio.com/activate?user=\(guid.lowercased())"))]))
        },
    ]

    static func directoryJSON(_ directory: JSON, _ store: Store) throws -> JSON {
        var count = 0
        if let table = directory["Table"]?.string, case .integer(let n)? = try store.db.query("SELECT COUNT(*) FROM \(SQLText.quoted(table))").first?.first { count = n }
        return .object([
            ("Id", directory["Id"] ?? .null), ("Name", directory["Name"] ?? .null), ("NumberOfUsers", .int(count)),
            ("DateCreated", directory["DateCreated"] ?? .null), ("DateUpdated", directory["DateUpdated"] ?? .null),
            ("CreatedBy", directory["CreatedBy"] ?? .null), ("UpdatedBy", directory["UpdatedBy"] ?? .null),
        ])
    }
}

extension Store {
    static let userFields: [Field] = [
        Field(name: "UserGUID", type: "GUID", unique: true), Field(name: "Email", type: "STRING", unique: true),
        Field(name: "FirstName", type: "STRING"), Field(name: "LastName", type: "STRING"), Field(name: "Status", type: "STRING"),
        Field(name: "Password", type: "PASSWORD"), Field(name: "DateCreated", type: "DATE/TIME"),
    ]

    /// A new directory and the table of its users.
    func createDirectory(id: String, name: String) throws {
        let table = "__dir_users_\(try objects("directory").count + 1)"
        try createTable(table, fields: Self.userFields, internal: true)
        let now = CaspioDate.now(clock)
        try putObject("directory", id, .object([
            ("Id", .string(id)), ("Name", .string(name)), ("Table", .string(table)), ("DateCreated", .string(now)), ("DateUpdated", .string(now)),
            ("CreatedBy", .string("sandbox")), ("UpdatedBy", .string("sandbox")),
        ]))
    }

    /// The directory's users as a record source.
    func usersSource(_ directory: String) throws -> Source {
        guard let table = try object("directory", directory, what: "directory")["Table"]?.string else { throw StoreError.notFound("Cannot find directory '\(directory)'") }
        return try tableSource(table)
    }
}
