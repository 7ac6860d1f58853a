import SQLiteLayer

/// Attachments and password fields of records on v4, over v3's store functions: one record's
/// file by PK_ID (multipart part `File` to upload), files of the records a condition matches
/// (info, rename, delete), and password fields set or cleared by a condition. Conditions travel
/// in JSON bodies (`{"where"}`) on changes, as bulk updates' do, behind the tautology guard;
/// reading file info takes `?where=` (every record's file without it).
extension Sandbox {
    static let v4AttachmentRoutes: [Route] =
        v4AttachmentRoutes(prefix: "tables/:tableId", isView: false) { store, r in try store.tableSource(try store.v4Table(try r.param("tableId"))) }
        + v4PasswordRoutes
        + v4AttachmentRoutes(prefix: "views/:viewId", isView: true) { store, r in try store.viewSource(try store.v4View(try r.param("viewId"))) }

    static func v4AttachmentRoutes(prefix: String, isView: Bool, source: @escaping @Sendable (Store, SandboxRequest) throws -> Store.Source) -> [Route] {
        let one = prefix + "/records/:recordPkId/attachments/:fieldName", bulk = prefix + "/records/bulk/attachments/:fieldName"
        @Sendable func place(_ store: Store, _ r: SandboxRequest, writing: Bool = false) throws -> Store.AttachmentField {
            let at = try store.attachmentField(try source(store, r), try r.param("fieldName"), isView: isView)
            if writing, at.source.baseTable == nil { throw StoreError.readOnly("The view '\(at.source.name)' is made of several tables and cannot be written to") }
            return at
        }
        return [
            Route(.get, one) { s, r in
                download(try s.locked { store in
                    let at = try place(store, r)
                    return try store.attachment(at, row: try store.attachmentRow(at, pk: try r.param("recordPkId")))
                })
            },
            Route(.put, one) { s, r in
                let part = try s.uploads(r, field: "File")[0]
                try s.locked { store in
                    let at = try place(store, r, writing: true)
                    try store.putAttachment(at, row: try store.attachmentRow(at, pk: try r.param("recordPkId")), name: part.filename ?? "",
                                            contentType: part.contentType, data: part.data)
                }
                return .noContent
            },
            Route(.delete, one) { s, r in
                try s.locked { store in
                    let at = try place(store, r, writing: true)
                    let pk = try r.param("recordPkId")
                    _ = try store.attachment(at, row: try store.attachmentRow(at, pk: pk))
                    _ = try store.deleteAttachments(at, filter: try pkFilter(r, at.source))
                }
                return .noContent
            },
            Route(.get, bulk + "/fileInfo") { s, r in
                try s.v4RefuseQPrefix(r.query)
                let filter = r.query["where"].map(SQLText.plainLiterals) ?? "1=1"
                let found = try s.locked { try $0.attachments(try place($0, r), filter: filter) }
                return try s.v4List(found.map { v4AttachmentInfo($0.pk, $0.file) }, r.query)
            },
            Route(.patch, bulk + "/fileInfo") { s, r in
                let body = try s.jsonBody(r)
                guard let filter = body["where"]?.string, case .string(let name)? = body["fileName"] else {
                    throw APIError(400, "IncorrectBodyParameter", "a rename needs where and fileName", remediation: #"Send {"where": "PK_ID = 3", "fileName": "photo.png"}."#)
                }
                let count = try s.locked { store in
                    let at = try place(store, r, writing: true)
                    return try store.renameAttachments(at, filter: try s.guarded(store, at.source, filter), to: name)
                }
                return .json(200, .object([(V4Choices.affectedKey, .int(count))]))
            },
            Route(.delete, bulk) { s, r in
                let body = try s.jsonBody(r)
                guard let filter = body["where"]?.string else {
                    throw APIError(400, "IncorrectBodyParameter", "deleting files needs where", remediation: #"Send {"where": "PK_ID IN (1, 2)"} as the JSON body."#)
                }
                let count = try s.locked { store in
                    let at = try place(store, r, writing: true)
                    return try store.deleteAttachments(at, filter: try s.guarded(store, at.source, filter))
                }
                return .json(200, .object([(V4Choices.affectedKey, .int(count))]))
            },
        ]
    }

    static let v4PasswordRoutes: [Route] = [
        Route(.patch, "tables/:tableId/records/bulk/passwordFields/:fieldName") { s, r in
            let body = try s.jsonBody(r)
            guard case .string(let value)? = body["value"] else {
                throw APIError(400, "IncorrectBodyParameter", "setting a password needs where and value", remediation: #"Send {"where": "PK_ID = 3", "value": "…"}."#)
            }
            return .json(200, .object([(V4Choices.affectedKey, .int(try s.v4SetPassword(r, body, .text(value))))]))
        },
        Route(.delete, "tables/:tableId/records/bulk/passwordFields/:fieldName") { s, r in
            .json(200, .object([(V4Choices.affectedKey, .int(try s.v4SetPassword(r, try s.jsonBody(r), .null)))]))
        },
    ]

    private func v4SetPassword(_ r: SandboxRequest, _ body: JSON, _ value: SQLValue) throws -> Int {
        guard let filter = body["where"]?.string else {
            throw APIError(400, "IncorrectBodyParameter", "where is required", remediation: #"Send {"where": "PK_ID = 3"} in the JSON body."#)
        }
        return try locked { store in
            let table = try store.v4Table(try r.param("tableId"))
            let field = try store.field(try r.param("fieldName"), of: table)
            guard field.type == "PASSWORD" else { throw APIError.badBody("'\(field.name)' is not a password field") }
            let source = try store.tableSource(table)
            let keys = try store.matchingKeys(source, try guarded(store, source, filter), parameter: "where")
            try store.setValues(table, [(field.name, value)], keys: keys)
            return keys.count
        }
    }

    static func v4AttachmentInfo(_ pk: JSON, _ file: Store.StoredFile) -> JSON {
        .object([
            ("PK_ID", V4Choices.pkID(pk)), ("fileName", .string(file.name)), ("fileType", .string(file.contentType)),
            ("size", .int(file.size)), ("dateCreated", .string(file.created)), ("dateUpdated", .string(file.modified)),
        ])
    }
}
