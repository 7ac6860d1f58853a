import Foundation
import SQLiteLayer

/// Attachments and password fields of records on v4, over v3's store functions: one record's
/// file by PK_ID (multipart part `File` to upload), files of the records a condition matches
/// (info, rename, delete), files for many records in one multipart call, and password fields
/// set or cleared by a condition. Conditions travel
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
            Route(.post, prefix + "/records/bulk/attachments") { s, r in try s.v4BulkAttachments(r, isView: isView, source) },
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

    /// Files for many records in one call (V4Choices.bulkAttachmentTarget): each file part
    /// named `FIELD/PK_ID` is put on that record as a PUT of it would, on its own; the answer
    /// has one item per part in input order, 200 when every file went in, else 207.
    func v4BulkAttachments(_ r: SandboxRequest, isView: Bool, _ source: (Store, SandboxRequest) throws -> Store.Source) throws -> SandboxResponse {
        let parts = Multipart.parts(r).filter { $0.filename != nil }
        guard !parts.isEmpty, parts.count <= V4Choices.maxBulkRows else {
            throw APIError(400, "IncorrectBodyParameter", "bulk attachments take multipart/form-data with 1 to \(V4Choices.maxBulkRows) file parts",
                           remediation: "Send one file part per record, named FIELD/PK_ID (e.g. name=\"Photo/2\"; filename the file's name).")
        }
        let results = try locked { store in
            let from = try source(store, r)
            guard from.baseTable != nil else { throw StoreError.readOnly("The view '\(from.name)' is made of several tables and cannot be written to") }
            return parts.map { part -> Result<JSON, APIError> in
                guard let (field, pk) = V4Choices.bulkAttachmentTarget(part.field) else {
                    return .failure(APIError(400, "IncorrectBodyParameter", "the part '\(part.field)' does not name FIELD/PK_ID",
                                             remediation: "Name each file part FIELD/PK_ID, e.g. name=\"Photo/2\"."))
                }
                guard part.data.count <= settings.maxUploadBytes else { return .failure(APIError.tooLarge(limit: settings.maxUploadBytes, part.filename ?? "the file")) }
                do {
                    let at = try store.attachmentField(from, field, isView: isView)
                    try store.putAttachment(at, row: try store.attachmentRow(at, pk: pk), name: part.filename ?? "", contentType: part.contentType, data: part.data)
                    return .success(.object([("status", .int(200)), ("PK_ID", .string(pk)), ("fieldName", .string(at.source.fields.first {
                        $0.name.caseInsensitiveCompare(field) == .orderedSame }?.name ?? field)), ("fileName", .string(part.filename ?? ""))]))
                } catch let error as StoreError {
                    return .failure(V4Errors.error(error))
                } catch let error as APIError {
                    return .failure(error)
                } catch {
                    return .failure(APIError(500, "InternalError", "\(error)"))
                }
            }
        }
        let items = results.map { result -> JSON in
            switch result {
            case .success(let item): item
            case .failure(let error): .object([("status", .int(error.status)), ("error", .string(error.message))])
            }
        }
        let done = results.filter { (try? $0.get()) != nil }.count
        return .json(done == parts.count ? 200 : 207, .object([(V4Choices.affectedKey, .int(done)), ("data", .array(items))]))
    }

    static func v4AttachmentInfo(_ pk: JSON, _ file: Store.StoredFile) -> JSON {
        .object([
            ("PK_ID", V4Choices.pkID(pk)), ("fileName", .string(file.name)), ("fileType", .string(file.contentType)),
            ("size", .int(file.size)), ("dateCreated", .string(file.created)), ("dateUpdated", .string(file.modified)),
        ])
    }
}
