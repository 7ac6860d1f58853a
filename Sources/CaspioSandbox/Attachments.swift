import Foundation

/// Attachments: the file in a FILE field of a record, kept beside the table (the field holds
/// the file's name). Reached through a table or a view (`Table_Field` of a view names the
/// table's field; the view's `__key_Table` column finds the table's row).
/// Call with the store's lock held.
extension Store {
    /// Where a source's FILE field lives: the table, its field, and the view's key column.
    struct AttachmentField { var table: String; var field: String; var keyColumn: String; var source: Source }

    func attachmentField(_ source: Source, _ name: String, isView: Bool) throws -> AttachmentField {
        guard let field = source.fields.first(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw StoreError.notFound("Cannot find field '\(name)' in '\(source.name)'")
        }
        guard field.type == "FILE" else { throw StoreError.invalid("'\(field.name)' is not a FILE field") }
        guard isView else { return AttachmentField(table: source.name, field: field.name, keyColumn: "__key", source: source) }
        let column = try viewFields(source.name).first { $0.field.name == field.name }?.source ?? ""
        let parts = column.split(separator: ".").map(String.init)
        return AttachmentField(table: parts[0], field: parts[1], keyColumn: "__key_" + parts[0], source: source)
    }

    /// The table rowid of the source's record with that PK_ID.
    func attachmentRow(_ place: AttachmentField, pk: String) throws -> Int {
        let from = place.keyColumn == "__key" ? "(\(place.source.inner))" : SQLText.quoted(place.source.name)
        let rows = try db.query("SELECT \(SQLText.quoted(place.keyColumn)) FROM \(from) WHERE CAST(PK_ID AS TEXT) = ?", [.text(pk)])
        guard case .integer(let row)? = rows.first?.first else { throw StoreError.notFound("Cannot find the record '\(pk)' in '\(place.source.name)'") }
        return row
    }

    func putAttachment(_ place: AttachmentField, row: Int, name: String, contentType: String, data: [UInt8], stamp: Bool = true) throws {
        guard !name.isEmpty, !name.contains("/") else { throw StoreError.invalid("'\(name)' is not a valid file name") }
        let now = CaspioDate.now(clock)
        try transaction {
            try db.query("""
                INSERT INTO \(Self.attachmentsTable) (tbl, field, row, name, content_type, data, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (tbl, field, row) DO UPDATE SET name = excluded.name, content_type = excluded.content_type, data = excluded.data, updated = excluded.updated
                """, [.text(place.table), .text(place.field), .integer(row), .text(name), .text(contentType), .blob(data), .text(now), .text(now)])
            try setValues(place.table, [(place.field, .text(name))], keys: [row], stamp: stamp)
        }
    }

    func attachment(_ place: AttachmentField, row: Int) throws -> StoredFile {
        let rows = try db.query("SELECT name, content_type, data, created, updated FROM \(Self.attachmentsTable) WHERE tbl = ? AND field = ? AND row = ?",
                                [.text(place.table), .text(place.field), .integer(row)])
        guard let found = rows.first, case .text(let name) = found[0], case .text(let type) = found[1], case .blob(let data) = found[2],
            case .text(let created) = found[3], case .text(let updated) = found[4]
        else { throw StoreError.notFound("The record has no file in '\(place.field)'") }
        return StoredFile(key: "", name: name, folder: "", contentType: type, size: data.count, created: created, modified: updated, data: data)
    }

    /// The attachments of the records that match `filter`: (PK_ID as the source shows it, file).
    func attachments(_ place: AttachmentField, filter: String?) throws -> [(pk: JSON, file: StoredFile)] {
        var result: [(JSON, StoredFile)] = []
        for (pk, row) in try matchingRows(place, filter) {
            if let file = try? attachment(place, row: row) { result.append((pk, file)) }
        }
        return result
    }

    /// Renames the matching attachments; returns how many.
    func renameAttachments(_ place: AttachmentField, filter: String?, to name: String) throws -> Int {
        guard !name.isEmpty, !name.contains("/") else { throw StoreError.invalid("'\(name)' is not a valid file name") }
        var count = 0
        for (_, row) in try matchingRows(place, filter) where (try? attachment(place, row: row)) != nil {
            try db.query("UPDATE \(Self.attachmentsTable) SET name = ?, updated = ? WHERE tbl = ? AND field = ? AND row = ?",
                         [.text(name), .text(CaspioDate.now(clock)), .text(place.table), .text(place.field), .integer(row)])
            try setValues(place.table, [(place.field, .text(name))], keys: [row])
            count += 1
        }
        return count
    }

    /// Removes the matching records' files; returns how many records had one.
    func deleteAttachments(_ place: AttachmentField, filter: String?) throws -> Int {
        let count = try attachments(place, filter: filter).count
        let keys = try matchingRows(place, filter).map(\.row)
        try transaction {
            for key in keys {
                try db.query("DELETE FROM \(Self.attachmentsTable) WHERE tbl = ? AND field = ? AND row = ?", [.text(place.table), .text(place.field), .integer(key)])
            }
            try setValues(place.table, [(place.field, .null)], keys: keys)
        }
        return count
    }

    private func matchingRows(_ place: AttachmentField, _ filter: String?) throws -> [(pk: JSON, row: Int)] {
        let keys = try matchingKeys(place.source, filter)
        let rows = try self.rows(place.source, keys: keys)
        guard place.keyColumn != "__key" else { return zip(rows, keys).map { ($0["PK_ID"] ?? .null, $1) } }
        return try rows.compactMap { row in
            guard let pk = row["PK_ID"]?.string else { return nil }
            return (row["PK_ID"]!, try attachmentRow(place, pk: pk))
        }
    }
}
