import Foundation

/// Directory design (7) and directory users (8 of 13) on v4: a directory's users are records of
/// a table of the sandbox's own (as on v3), addressed by `UserGUID` (`{userId}`); new users are
/// Inactive unless the body says otherwise; activating an active user is 409.
extension Sandbox {
    static let v4DirectoryRoutes: [Route] = [
        Route(.get, "directories") { s, r in
            try s.v4List(try s.locked { store in try store.objects("directory").map { try v4Directory($0.body, store) } }, r.query)
        },
        Route(.get, "directories/:directoryId") { s, r in
            V4Choices.single(try s.locked { store in try v4Directory(try store.object("directory", try r.param("directoryId"), what: "directory"), store) })
        },
        Route(.get, "directories/:directoryId/fields") { s, r in
            let fields = try s.locked { store in try store.fields(of: try store.usersTable(try r.param("directoryId"))) }
            return try s.v4List(fields.enumerated().map { V4Design.fieldJSON($0, $1) }, r.query)
        },
        Route(.post, "directories/:directoryId/fields") { s, r in
            let field = try V4Design.field(try s.jsonBody(r))
            let (index, added) = try s.locked { store in
                let table = try store.usersTable(try r.param("directoryId"))
                try store.addField(field, to: table)
                let fields = try store.fields(of: table)
                return (fields.count - 1, fields[fields.count - 1])
            }
            return V4Choices.single(V4Design.fieldJSON(index, added), status: 201)
        },
        Route(.get, "directories/:directoryId/fields/:fieldName") { s, r in
            let (index, field) = try s.locked { store in try directoryField(store, r) }
            return V4Choices.single(V4Design.fieldJSON(index, field))
        },
        Route(.patch, "directories/:directoryId/fields/:fieldName") { s, r in
            let body = try s.jsonBody(r)
            let (index, field) = try s.locked { store in
                let table = try store.usersTable(try r.param("directoryId"))
                let (_, old) = try directoryField(store, r)
                guard !Store.userFields.contains(where: { $0.name == old.name }) || body["name"] == nil else {
                    throw StoreError.invalid("'\(old.name)' is a field every directory has: it cannot be renamed")
                }
                var new = old
                if case .string(let name)? = body["name"] { new.name = name }
                if case .string(let type)? = body["dataType"] { new.type = try V4Design.storeType(type) }
                if case .bool(let unique)? = body["unique"] { new.unique = unique }
                if case .string(let label)? = body["label"] { new.label = label }
                if case .string(let text)? = body["description"] { new.description = text }
                try store.updateField(old.name, of: table, to: new)
                let fields = try store.fields(of: table)
                let index = fields.firstIndex { $0.name == new.name } ?? 0
                return (index, fields[index])
            }
            return V4Choices.single(V4Design.fieldJSON(index, field))
        },
        Route(.delete, "directories/:directoryId/fields/:fieldName") { s, r in
            try s.locked { store in
                let (_, field) = try directoryField(store, r)
                guard !Store.userFields.contains(where: { $0.name == field.name }) else {
                    throw StoreError.invalid("'\(field.name)' is a field every directory has: it cannot be deleted")
                }
                try store.deleteField(field.name, of: try store.usersTable(try r.param("directoryId")))
            }
            return .noContent
        },
        Route(.get, "directories/:directoryId/users") { s, r in
            let query = try s.v4RecordQuery(r.query)
            let page = try s.locked { store in try store.readRecords(try store.usersSource(try r.param("directoryId")), query) }
            return s.v4Envelope(page.rows, total: page.total ?? page.rows.count, try s.v4Paging(r.query))
        },
        Route(.post, "directories/:directoryId/users") { s, r in
            let body = try s.jsonBody(r)
            guard case .object = body else { throw APIError.badBody("the body must be one user, a JSON object; POST …/users/bulk takes an array") }
            let user = try s.locked { store in try store.insertRecord(try store.usersSource(try r.param("directoryId")), body: newUser(body, now: CaspioDate.now(store.clock))) }
            return V4Choices.single(user ?? .object([]), status: 201)
        },
        Route(.post, "directories/:directoryId/users/bulk") { s, r in
            try s.v4BulkInsert(r, key: V4Choices.bulkUserKey, fill: { newUser($0, now: CaspioDate.now(s.clock.now)) }) { store, r in try store.usersSource(try r.param("directoryId")) }
        },
        Route(.patch, "directories/:directoryId/users/bulk") { s, r in
            let body = try s.jsonBody(r)
            guard let filter = body["where"]?.string, let values = body["recordValues"], case .object = values else {
                throw APIError(400, "IncorrectBodyParameter", "a bulk update needs where and recordValues",
                               remediation: #"Send {"where": "Status = N'Inactive'", "recordValues": {"LastName": "Lee"}}."#)
            }
            let rows = try s.locked { store in
                let source = try store.usersSource(try r.param("directoryId"))
                return try store.updateRecords(source, filter: try s.guarded(store, source, filter), body: values, parameter: "where")
            }
            return s.v4Affected(rows, r)
        },
        Route(.delete, "directories/:directoryId/users/bulk") { s, r in
            let body = try s.jsonBody(r)
            guard let filter = body["where"]?.string else {
                throw APIError(400, "IncorrectBodyParameter", "a bulk delete needs where", remediation: #"Send {"where": "Status = N'Inactive'"} as the JSON body."#)
            }
            let rows = try s.locked { store in
                let source = try store.usersSource(try r.param("directoryId"))
                return try store.deleteRecords(source, filter: try s.guarded(store, source, filter), parameter: "where")
            }
            return s.v4Affected(rows, r)
        },
        Route(.patch, "directories/:directoryId/users/:userId") { s, r in
            let body = try s.jsonBody(r)
            let rows = try s.locked { store in
                try store.updateRecords(try store.usersSource(try r.param("directoryId")), filter: try userFilter(r), body: body)
            }
            guard let user = rows.first else { throw StoreError.notFound("Cannot find the user '\(r.params["userId"] ?? "")'") }
            return V4Choices.single(user)
        },
        Route(.delete, "directories/:directoryId/users/:userId") { s, r in
            let rows = try s.locked { store in try store.deleteRecords(try store.usersSource(try r.param("directoryId")), filter: try userFilter(r)) }
            guard !rows.isEmpty else { throw StoreError.notFound("Cannot find the user '\(r.params["userId"] ?? "")'") }
            return .noContent
        },
        Route(.post, "directories/:directoryId/users/:userId/activate") { s, r in
            let guid = try r.param("userId").lowercased()
            try s.locked { store in
                let source = try store.usersSource(try r.param("directoryId"))
                let filter = try userFilter(r)
                guard let user = try store.rows(source, keys: try store.matchingKeys(source, filter)).first else {
                    throw StoreError.notFound("Cannot find the user '\(guid)'")
                }
                guard user["Status"]?.string != "Active" else { throw StoreError.conflict("The user '\(guid)' is already active") }
                _ = try store.updateRecords(source, filter: filter, body: .object([("Status", .string("Active"))]))
            }
            return V4Choices.single(.object([("userId", .string(guid)), ("activationUrl", .string("https://ACCOUNT.caspio.com/activate?user=\(guid)"))]))
        },
    ]

    /// A new user as the server completes it: Inactive unless said, created now.
    static func newUser(_ body: JSON, now: String) -> JSON {
        (body["Status"] == nil ? body.setting("Status", .string("Inactive")) : body).setting("DateCreated", .string(now))
    }

    /// `UserGUID = '…'` for the path's user; a userId that is not a GUID names no user.
    static func userFilter(_ r: SandboxRequest) throws -> String {
        let id = try r.param("userId")
        guard UUID(uuidString: id) != nil else { throw StoreError.notFound("Cannot find the user '\(id)'") }
        return "UserGUID = '\(id.lowercased())'"
    }

    static func directoryField(_ store: Store, _ r: SandboxRequest) throws -> (Int, Store.Field) {
        let fields = try store.fields(of: try store.usersTable(try r.param("directoryId"))), name = try r.param("fieldName")
        guard let index = fields.firstIndex(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw StoreError.notFound("Cannot find field '\(name)'")
        }
        return (index, fields[index])
    }

    static func v4Directory(_ directory: JSON, _ store: Store) throws -> JSON {
        let v3 = try directoryJSON(directory, store)
        return .object([
            ("directoryId", .string(V4Choices.objectID(v3: directory["Id"]?.string ?? ""))), ("name", v3["Name"] ?? .null),
            ("numberOfUsers", v3["NumberOfUsers"] ?? .int(0)), ("dateCreated", v3["DateCreated"] ?? .null), ("dateUpdated", v3["DateUpdated"] ?? .null),
        ])
    }
}

extension Store {
    /// The table that holds a directory's users.
    func usersTable(_ directory: String) throws -> String {
        guard let table = try object("directory", directory, what: "directory")["Table"]?.string else { throw StoreError.notFound("Cannot find directory '\(directory)'") }
        return table
    }
}
