/// Directory users' attachments (5 operations): files in a directory's ATTACHMENT fields (add
/// one with `POST /directories/{directoryId}/fields`), one user's by `{userId}`, file info of
/// the users a condition matches, renamed by a condition behind the tautology guard.
extension Sandbox {
    static let v4UserAttachmentRoutes: [Route] = {
        let one = "directories/:directoryId/users/:userId/attachments/:fieldName"
        let bulk = "directories/:directoryId/users/bulk/attachments/:fieldName/fileInfo"
        @Sendable func place(_ store: Store, _ r: SandboxRequest) throws -> Store.AttachmentField {
            try store.attachmentField(try store.usersSource(try r.param("directoryId")), try r.param("fieldName"), isView: false)
        }
        @Sendable func row(_ store: Store, _ at: Store.AttachmentField, _ r: SandboxRequest) throws -> Int {
            let keys = try store.matchingKeys(at.source, try userFilter(r))
            guard let key = keys.first else { throw StoreError.notFound("Cannot find the user '\(r.params["userId"] ?? "")'") }
            return key
        }
        return [
            Route(.get, one) { s, r in download(try s.locked { store in let at = try place(store, r); return try store.attachment(at, row: try row(store, at, r)) }) },
            Route(.put, one) { s, r in
                let part = try s.uploads(r, field: "File")[0]
                try s.locked { store in
                    let at = try place(store, r)
                    try store.putAttachment(at, row: try row(store, at, r), name: part.filename ?? "", contentType: part.contentType, data: part.data)
                }
                return .noContent
            },
            Route(.delete, one) { s, r in
                try s.locked { store in
                    let at = try place(store, r)
                    _ = try store.attachment(at, row: try row(store, at, r))
                    _ = try store.deleteAttachments(at, filter: try userFilter(r))
                }
                return .noContent
            },
            Route(.get, bulk) { s, r in
                try s.v4RefuseQPrefix(r.query)
                let filter = r.query["where"].map(SQLText.plainLiterals) ?? "1=1"
                let items = try s.locked { store in
                    let at = try place(store, r)
                    let keys = try store.matchingKeys(at.source, filter, parameter: "where")
                    return try zip(store.rows(at.source, keys: keys), keys).compactMap { user, key -> JSON? in
                        guard let file = try? store.attachment(at, row: key) else { return nil }
                        return v4AttachmentInfo(.null, file).removing("PK_ID").setting("userId", user["UserGUID"] ?? .null)
                    }
                }
                return try s.v4List(items, r.query)
            },
            Route(.patch, bulk) { s, r in
                let body = try s.jsonBody(r)
                guard let filter = body["where"]?.string, case .string(let name)? = body["fileName"] else {
                    throw APIError(400, "IncorrectBodyParameter", "a rename needs where and fileName", remediation: #"Send {"where": "Email = N'ann@example.com'", "fileName": "photo.png"}."#)
                }
                let count = try s.locked { store in
                    let at = try place(store, r)
                    return try store.renameAttachments(at, filter: try s.guarded(store, at.source, filter), to: name)
                }
                return .json(200, .object([(V4Choices.affectedKey, .int(count))]))
            },
        ]
    }()
}

extension JSON {
    /// The object without `key`.
    func removing(_ key: String) -> JSON {
        guard case .object(let pairs) = self else { return self }
        return .object(pairs.filter { $0.0 != key })
    }
}
