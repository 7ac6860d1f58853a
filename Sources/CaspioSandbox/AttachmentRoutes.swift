import Foundation

/// Attachments of FILE fields (openapi-v3.json `/tables/{t}/attachments…` and the same under
/// `/views/{v}`): upload (multipart field `File`, 413 over the limit), download, file info
/// get and rename, delete by `q.where`.
extension Sandbox {
    static let attachmentRoutes: [Route] =
        attachmentRoutes(prefix: "tables/:tableName", param: "tableName", isView: false) { try $0.tableSource($1) }

    static func attachmentRoutes(prefix: String, param: String, isView: Bool, source: @escaping @Sendable (Store, String) throws -> Store.Source) -> [Route] {
        let base = prefix + "/attachments/:attachmentFieldName"
        /// The field the request names; a change through a view of several tables is refused.
        @Sendable func place(_ store: Store, _ r: SandboxRequest, writing: Bool = false) throws -> Store.AttachmentField {
            let at = try store.attachmentField(try source(store, try r.param(param)), try r.param("attachmentFieldName"), isView: isView)
            if writing, at.source.baseTable == nil { throw StoreError.readOnly("The view '\(at.source.name)' is made of several tables and cannot be written to") }
            return at
        }
        return [
            Route(.get, base + "/:recordPkId") { s, r in
                let file = try s.locked { store in
                    let at = try place(store, r)
                    return try store.attachment(at, row: try store.attachmentRow(at, pk: try r.param("recordPkId")))
                }
                return download(file)
            },
            Route(.put, base + "/:recordPkId") { s, r in
                let part = try s.uploads(r, field: "File")[0]
                try s.locked { store in
                    let at = try place(store, r, writing: true)
                    let row = try store.attachmentRow(at, pk: try r.param("recordPkId"))
                    try store.putAttachment(at, row: row, name: part.filename ?? "", contentType: part.contentType, data: part.data)
                }
                return .noContent
            },
            Route(.delete, base) { s, r in
                let filter = try s.clause(r)
                let count = try s.locked { try $0.deleteAttachments(try place($0, r, writing: true), filter: filter) }
                return .json(200, .object([("RecordsAffected", .int(count))]))
            },
            Route(.get, base + "/fileInfo") { s, r in
                let found = try s.locked { try $0.attachments(try place($0, r), filter: r.query["q.where"] ?? "1=1") }
                return .result(.array(found.map { attachmentInfo($0.pk, $0.file, isView: isView) }))
            },
            Route(.put, base + "/fileInfo") { s, r in
                let body = try s.jsonBody(r)
                guard case .string(let name)? = body["FileName"] else { throw APIError.badBody("FileName is required") }
                let filter = try s.clause(r)
                let (count, found) = try s.locked { store in
                    let at = try place(store, r, writing: true)
                    return (try store.renameAttachments(at, filter: filter, to: name), try store.attachments(at, filter: filter))
                }
                var answer: [(String, JSON)] = [("RecordsAffected", .int(count))]
                if r.query["response"]?.lowercased() == "rows" { answer.append(("Result", .array(found.map { attachmentInfo($0.pk, $0.file, isView: isView) }))) }
                return .json(200, .object(answer))
            },
        ]
    }

    /// `TableAttachmentMetadataInfo` (PK_ID an integer) or `ViewAttachmentMetadataInfo` (a string).
    static func attachmentInfo(_ pk: JSON, _ file: Store.StoredFile, isView: Bool) -> JSON {
        .object([
            ("PK_ID", isView ? .string(pk.string ?? pk.encoded) : pk), ("FileName", .string(file.name)), ("FileType", .string(file.contentType)),
            ("Size", .int(file.size)), ("DateCreated", .string(file.created)), ("DateUpdated", .string(file.modified)),
        ])
    }

    /// The bytes, with the type and name they were uploaded with.
    static func download(_ file: Store.StoredFile) -> SandboxResponse {
        SandboxResponse(status: 200, headers: [
            ("Content-Type", file.contentType), ("Content-Disposition", "attachment; filename=\"\(file.name.replacingOccurrences(of: "\"", with: ""))\""),
        ], body: file.data)
    }
}
