/// Files and folders (openapi-v3.json `/files…`): folders as a tree by external key, files in
/// a folder (`externalKey`, the root when absent), by key or by `filePath` (`/A/B/name`);
/// upload with multipart `Files` (201, 409 on a name clash) or `File` (PUT replaces), 413
/// over the limit. Under `/rest/v2`, `GET /files` lists a folder's folders and files together.
extension Sandbox {
    static let fileRoutes: [Route] = [
        Route(.get, "files/folders") { s, r in
            let (page, folder) = (try listPage(r), r.query["externalKey"] ?? "")
            let folders = try s.locked { try $0.folders(in: folder) }
            let items = Array(folders.dropFirst(page.offset).prefix(page.size)).map { folderJSON($0.body) }
            return .json(200, .object([("Result", .array(items)), ("Pagination", pagination(folders.count, page))]))
        },
        Route(.get, "files/folders/:externalKey") { s, r in .result(folderJSON(try s.locked { try $0.folder(try r.param("externalKey")) })) },
        Route(.get, "files") { s, r in
            let (page, folder) = (try listPage(r), r.query["externalKey"] ?? "")
            let descending = r.query["sortDescending"]?.lowercased() == "true"
            let (files, total, folders) = try s.locked { store in
                if !folder.isEmpty { _ = try store.folder(folder) }
                return (try store.files(in: folder, sortField: r.query["sortField"] ?? "Name", descending: descending, limit: page.size, offset: page.offset),
                        try store.fileCount(in: folder), r.version == 2 ? try store.folders(in: folder) : [])
            }
            let items = folders.map { folderJSON($0.body) } + files.map(fileJSON)
            return .json(200, .object([("Result", .array(items)), ("Pagination", pagination(total, page))]))
        },
        Route(.post, "files") { s, r in
            let parts = try s.uploads(r, field: "Files")
            let folder = r.query["externalKey"] ?? ""
            let items = try s.locked { store in
                try store.transaction {
                    try parts.map { part in
                        let key = try store.storeFile(name: part.filename ?? "", contentType: part.contentType, data: part.data, folder: folder, replace: false).key
                        return JSON.object([("Name", .string(part.filename ?? "")), ("ExternalKey", .string(key))])
                    }
                }
            }
            return .result(.array(items), status: 201)
        },
        Route(.put, "files") { s, r in
            let part = try s.uploads(r, field: "File")[0]
            let stored = try s.locked {
                try $0.storeFile(name: part.filename ?? "", contentType: part.contentType, data: part.data, folder: r.query["externalKey"] ?? "", replace: true)
            }
            return .result(.object([("Name", .string(part.filename ?? "")), ("ExternalKey", .string(stored.key))]), status: stored.created ? 201 : 200)
        },
        Route(.get, "files/path/fileInfo") { s, r in .result(fileJSON(try s.locked { try $0.file(try $0.fileKey(path: r.query["filePath"] ?? "")) })) },
        Route(.get, "files/path") { s, r in download(try s.locked { try $0.file(try $0.fileKey(path: r.query["filePath"] ?? "")) }) },
        Route(.delete, "files/path") { s, r in
            try s.locked { try $0.deleteFile(try $0.fileKey(path: r.query["filePath"] ?? "")) }
            return .noContent
        },
        Route(.get, "files/:externalKey/fileInfo") { s, r in .result(fileJSON(try s.locked { try $0.file(try r.param("externalKey")) })) },
        Route(.get, "files/:externalKey") { s, r in download(try s.locked { try $0.file(try r.param("externalKey")) }) },
        Route(.delete, "files/:externalKey") { s, r in
            try s.locked { try $0.deleteFile(try r.param("externalKey")) }
            return .noContent
        },
    ]

    struct ListPage { var number: Int; var size: Int; var offset: Int { (number - 1) * size } }

    static func listPage(_ r: SandboxRequest) throws(APIError) -> ListPage {
        let size = Int(r.query["pageSize"] ?? "100") ?? -1, number = Int(r.query["pageNumber"] ?? "1") ?? -1
        guard (1...1000).contains(size), number >= 1 else { throw APIError.badQuery("pageSize must be 1-1000 and pageNumber from 1") }
        return ListPage(number: number, size: size)
    }

    static func pagination(_ total: Int, _ page: ListPage) -> JSON {
        .object([("TotalCount", .int(total)), ("PageNumber", .int(page.number)), ("PageSize", .int(page.size))])
    }

    static func folderJSON(_ body: JSON) -> JSON {
        .object([("Name", body["Name"] ?? .null), ("ExternalKey", body["ExternalKey"] ?? .null), ("DateCreated", body["DateCreated"] ?? .null)])
    }

    /// `FileItem` / `FileMetadataInfo`.
    static func fileJSON(_ file: Store.StoredFile) -> JSON {
        .object([
            ("Name", .string(file.name)), ("ExternalKey", .string(file.key)), ("Size", .int(file.size)), ("ContentType", .string(file.contentType)),
            ("DateCreated", .string(file.created)), ("LastModified", .string(file.modified)),
        ])
    }
}
