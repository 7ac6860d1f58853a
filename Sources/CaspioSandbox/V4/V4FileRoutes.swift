import Foundation

/// File assets (14 operations): the file library v3 serves, files by `fileId` (v3's key) or by
/// `filePath`, folders by `folderId`, searches by name; uploads are multipart, `Files` parts for
/// `POST …/files/bulk` (409 on a name taken in the folder), one `File` part for `PUT …/files`
/// (replaces). A folder is not deleted through the API (405, by design).
extension Sandbox {
    static let v4FileRoutes: [Route] = [
        Route(.get, "fileAssets/files") { s, r in
            let paging = try s.v4Paging(r.query)
            let folder = r.query["folderId"] ?? ""
            let (items, total) = try s.locked { store in
                if !folder.isEmpty { _ = try store.folder(folder) }
                let files = try store.files(in: folder, sortField: "Name", descending: false, limit: paging.limit, offset: paging.offset)
                return (try files.map { try v4File($0, store) }, try store.fileCount(in: folder))
            }
            return s.v4Envelope(items, total: total, paging)
        },
        Route(.put, "fileAssets/files") { s, r in
            let part = try s.uploads(r, field: "File")[0]
            let item = try s.locked { store in
                let stored = try store.storeFile(name: part.filename ?? "", contentType: part.contentType, data: part.data, folder: r.query["folderId"] ?? "", replace: true)
                return (stored.created, try v4File(try store.file(stored.key), store))
            }
            return V4Choices.single(item.1, status: item.0 ? 201 : 200)
        },
        Route(.get, "fileAssets/files/search") { s, r in
            let name = try v4SearchName(r)
            return try s.v4List(try s.locked { store in try store.searchFiles(name).map { try v4File($0, store) } }, r.query)
        },
        Route(.post, "fileAssets/files/bulk") { s, r in
            let parts = try s.uploads(r, field: "Files")
            let folder = r.query["folderId"] ?? ""
            let items = try s.locked { store in
                try store.transaction {
                    try parts.map { part in
                        let key = try store.storeFile(name: part.filename ?? "", contentType: part.contentType, data: part.data, folder: folder, replace: false).key
                        return JSON.object([("name", .string(part.filename ?? "")), ("fileId", .string(key)), ("fullFilePath", .string(try store.filePath(key)))])
                    }
                }
            }
            return .json(201, .object([("data", .array(items))]))
        },
        Route(.get, "fileAssets/files/path/fileInfo") { s, r in
            V4Choices.single(try s.locked { store in try v4File(try store.file(try store.fileKey(path: try v4FilePath(r))), store) })
        },
        Route(.get, "fileAssets/files/path") { s, r in download(try s.locked { store in try store.file(try store.fileKey(path: try v4FilePath(r))) }) },
        Route(.delete, "fileAssets/files/path") { s, r in
            try s.locked { store in try store.deleteFile(try store.fileKey(path: try v4FilePath(r))) }
            return .noContent
        },
        Route(.get, "fileAssets/files/:fileId/fileInfo") { s, r in
            V4Choices.single(try s.locked { store in try v4File(try store.file(try r.param("fileId")), store) })
        },
        Route(.get, "fileAssets/files/:fileId") { s, r in download(try s.locked { try $0.file(try r.param("fileId")) }) },
        Route(.delete, "fileAssets/files/:fileId") { s, r in
            try s.locked { try $0.deleteFile(try r.param("fileId")) }
            return .noContent
        },
        Route(.get, "fileAssets/folders") { s, r in
            let parent = r.query["parentFolderId"] ?? ""
            let items = try s.locked { store in
                if !parent.isEmpty { _ = try store.folder(parent) }
                return try store.folders(in: parent).map { try v4Folder($0.id, store) }
            }
            return try s.v4List(items, r.query)
        },
        Route(.post, "fileAssets/folders") { s, r in
            let body = try s.jsonBody(r)
            guard case .string(let name)? = body["name"] else {
                throw APIError(400, "IncorrectBodyParameter", "a folder needs a name", remediation: #"Send {"name": "Exports", "parentFolderId": "…"} (no parent: the root)."#)
            }
            let folder = try s.locked { store in try v4Folder(try store.createFolder(name, in: body["parentFolderId"]?.string ?? ""), store) }
            return V4Choices.single(folder, status: 201)
        },
        Route(.get, "fileAssets/folders/search") { s, r in
            let name = try v4SearchName(r).lowercased()
            let items = try s.locked { store in
                try store.objects("folder").filter { ($0.body["Name"]?.string ?? "").lowercased().contains(name) }.map { try v4Folder($0.id, store) }
            }
            return try s.v4List(items, r.query)
        },
        Route(.get, "fileAssets/folders/:folderId") { s, r in V4Choices.single(try s.locked { store in try v4Folder(try r.param("folderId"), store) }) },
        Route(.delete, "fileAssets/folders/:folderId") { _, _ in throw structuralDelete("a folder") },
    ]

    static func v4File(_ file: Store.StoredFile, _ store: Store) throws -> JSON {
        .object([
            ("name", .string(file.name)), ("fileId", .string(V4Choices.objectID(v3: file.key))), ("fullFilePath", .string(try store.filePath(file.key))),
            ("folderId", file.folder.isEmpty ? .null : .string(file.folder)), ("size", .int(file.size)), ("contentType", .string(file.contentType)),
            ("dateCreated", .string(file.created)), ("lastModified", .string(file.modified)),
        ])
    }

    static func v4Folder(_ key: String, _ store: Store) throws -> JSON {
        let folder = try store.folder(key), parent = try store.parent("folder", key) ?? ""
        return .object([
            ("folderId", .string(V4Choices.objectID(v3: key))), ("name", folder["Name"] ?? .null),
            ("parentFolderId", parent.isEmpty ? .null : .string(parent)), ("fullFolderPath", .string(try store.folderPath(key))),
            ("dateCreated", folder["DateCreated"] ?? .null),
        ])
    }

    /// `filePath` (V4Choices: v3's name for the parameter), required.
    static func v4FilePath(_ r: SandboxRequest) throws(APIError) -> String {
        guard let path = r.query[V4Choices.filePathParameter], !path.isEmpty else {
            throw APIError(400, "IncorrectQueryParameter", "\(V4Choices.filePathParameter) is required", remediation: "Send ?\(V4Choices.filePathParameter)=/Folder/name.csv")
        }
        return path
    }

    static func v4SearchName(_ r: SandboxRequest) throws(APIError) -> String {
        guard let name = r.query["name"], !name.isEmpty else {
            throw APIError(400, "IncorrectQueryParameter", "name is required", remediation: "Send ?name= with part of the name to look for.")
        }
        return name
    }
}

extension Store {
    /// `/A/B` for a folder's key; "" for the root.
    func folderPath(_ key: String) throws -> String {
        var names: [String] = [], current = key
        while !current.isEmpty {
            names.insert(try folder(current)["Name"]?.string ?? "", at: 0)
            current = try parent("folder", current) ?? ""
        }
        return names.map { "/" + $0 }.joined()
    }

    func filePath(_ key: String) throws -> String {
        let file = try file(key)
        return try folderPath(file.folder) + "/" + file.name
    }

    /// Files whose name contains `text` (case folded), in every folder, by name.
    func searchFiles(_ text: String) throws -> [StoredFile] {
        let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_") + "%"
        return try db.query("SELECT \(Self.fileColumns) FROM \(Self.filesTable) WHERE name LIKE ? ESCAPE '\\' ORDER BY name, key", [.text(pattern)]).map(Self.storedFile)
    }
}
