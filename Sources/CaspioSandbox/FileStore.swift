#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SQLiteLayer

/// Files and folders: folders are a tree of objects (kind `folder`, parent the parent's key,
/// the root ""), files rows of `filesTable` in a folder. Names are unique within a folder.
/// Call with the store's lock held.
extension Store {
    struct StoredFile {
        var key: String, name: String, folder: String, contentType: String, size: Int, created: String, modified: String
        var data: [UInt8] = []
    }

    static let fileColumns = "key, name, folder, content_type, length(data), created, modified"

    /// Folders in `parent` ("" for the root), by name.
    func folders(in parent: String) throws -> [(id: String, body: JSON)] {
        try objects("folder", parent: parent).sorted { ($0.body["Name"]?.string ?? "") < ($1.body["Name"]?.string ?? "") }
    }

    func folder(_ key: String) throws -> JSON { try object("folder", key, what: "folder") }

    /// A new folder (seed); a name taken in the parent is a conflict.
    @discardableResult func createFolder(_ name: String, in parent: String, key: String = UUID().uuidString.lowercased()) throws -> String {
        if !parent.isEmpty { _ = try folder(parent) }
        guard !name.isEmpty, !name.contains("/") else { throw StoreError.invalid("'\(name)' is not a valid folder name") }
        guard try !folders(in: parent).contains(where: { $0.body["Name"]?.string?.lowercased() == name.lowercased() }) else {
            throw StoreError.conflict("A folder named '\(name)' already exists here")
        }
        try putObject("folder", key, parent: parent, .object([("Name", .string(name)), ("ExternalKey", .string(key)), ("DateCreated", .string(CaspioDate.now(clock)))]))
        return key
    }

    /// `/A/B` → B's key; "/" or "" is the root.
    func folderKey(path: String) throws -> String {
        var key = ""
        for name in path.split(separator: "/") {
            guard let next = try folders(in: key).first(where: { $0.body["Name"]?.string?.lowercased() == name.lowercased() }) else {
                throw StoreError.notFound("Cannot find the folder '\(path)'")
            }
            key = next.id
        }
        return key
    }

    func files(in folder: String, sortField: String, descending: Bool, limit: Int, offset: Int) throws -> [StoredFile] {
        let column = ["Size": "length(data)", "DateCreated": "created", "LastModified": "modified", "ContentType": "content_type"][sortField] ?? "name"
        return try db.query("SELECT \(Self.fileColumns) FROM \(Self.filesTable) WHERE folder = ? ORDER BY \(column) \(descending ? "DESC" : "ASC"), name LIMIT ? OFFSET ?",
                            [.text(folder), .integer(limit), .integer(offset)]).map(Self.storedFile)
    }

    func fileCount(in folder: String) throws -> Int {
        if case .integer(let n)? = try db.query("SELECT COUNT(*) FROM \(Self.filesTable) WHERE folder = ?", [.text(folder)]).first?.first { return n }
        return 0
    }

    func file(_ key: String) throws -> StoredFile {
        let rows = try db.query("SELECT \(Self.fileColumns), data FROM \(Self.filesTable) WHERE key = ?", [.text(key)])
        guard let row = rows.first else { throw StoreError.notFound("Cannot find the file '\(key)'") }
        var file = Self.storedFile(row)
        if case .blob(let data) = row[7] { file.data = data }
        return file
    }

    /// `/A/B/name.csv` → the file's key.
    func fileKey(path: String) throws -> String {
        var parts = path.split(separator: "/").map(String.init)
        guard let name = parts.popLast() else { throw StoreError.notFound("Cannot find the file '\(path)'") }
        let folder = try folderKey(path: parts.joined(separator: "/"))
        let rows = try db.query("SELECT key FROM \(Self.filesTable) WHERE folder = ? AND name = ? COLLATE NOCASE", [.text(folder), .text(name)])
        guard case .text(let key)? = rows.first?.first else { throw StoreError.notFound("Cannot find the file '\(path)'") }
        return key
    }

    /// Stores one file in a folder; with `replace` one of the same name is overwritten (its key
    /// kept), without it that is a conflict. A new file gets `newKey` (a seed's fixed key) or a
    /// fresh GUID. Returns whether it is new, and its key.
    func storeFile(name: String, contentType: String, data: [UInt8], folder: String, replace: Bool, newKey: String? = nil) throws -> (created: Bool, key: String) {
        guard !name.isEmpty, !name.contains("/") else { throw StoreError.invalid("'\(name)' is not a valid file name") }
        if !folder.isEmpty { _ = try self.folder(folder) }
        let now = CaspioDate.now(clock)
        let existing = try db.query("SELECT key FROM \(Self.filesTable) WHERE folder = ? AND name = ? COLLATE NOCASE", [.text(folder), .text(name)])
        if case .text(let key)? = existing.first?.first {
            guard replace else { throw StoreError.conflict("A file named '\(name)' already exists in this folder") }
            try db.query("UPDATE \(Self.filesTable) SET data = ?, content_type = ?, modified = ? WHERE key = ?",
                         [.blob(data), .text(contentType), .text(now), .text(key)])
            return (false, key)
        }
        let key = newKey ?? UUID().uuidString.lowercased()
        try db.query("INSERT INTO \(Self.filesTable) (key, folder, name, content_type, data, created, modified) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [.text(key), .text(folder), .text(name), .text(contentType), .blob(data), .text(now), .text(now)])
        return (true, key)
    }

    func deleteFile(_ key: String) throws {
        _ = try file(key)
        try db.query("DELETE FROM \(Self.filesTable) WHERE key = ?", [.text(key)])
    }

    static func storedFile(_ row: [SQLValue]) -> StoredFile {
        func text(_ i: Int) -> String { if case .text(let s) = row[i] { s } else { "" } }
        let size = if case .integer(let n) = row[4] { n } else { 0 }
        return StoredFile(key: text(0), name: text(1), folder: text(2), contentType: text(3), size: size, created: text(5), modified: text(6))
    }
}
