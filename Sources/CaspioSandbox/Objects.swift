/// The account's objects other than tables and files (views' definitions, folders, webhooks
/// and their events, tasks, applications and DataPages, directories), each a JSON document
/// under a kind and an id, with a parent (a webhook's events, an application's DataPages)
/// and a creation order. Call with the store's lock held.
extension Store {
    func objects(_ kind: String, parent: String? = nil) throws -> [(id: String, body: JSON)] {
        let rows = parent == nil
            ? try db.query("SELECT id, body FROM \(Self.objectsTable) WHERE kind = ? ORDER BY ord", [.text(kind)])
            : try db.query("SELECT id, body FROM \(Self.objectsTable) WHERE kind = ? AND parent = ? ORDER BY ord", [.text(kind), .text(parent!)])
        return rows.compactMap { row in
            guard case .text(let id) = row[0], case .text(let body) = row[1], let json = JSON.parse(Array(body.utf8)) else { return nil }
            return (id, json)
        }
    }

    /// The object, or not found (`what` names it in the message).
    func object(_ kind: String, _ id: String, what: String) throws -> JSON {
        let rows = try db.query("SELECT body FROM \(Self.objectsTable) WHERE kind = ? AND id = ? COLLATE NOCASE", [.text(kind), .text(id)])
        guard case .text(let body)? = rows.first?.first, let json = JSON.parse(Array(body.utf8)) else {
            throw StoreError.notFound("Cannot find \(what) '\(id)'")
        }
        return json
    }

    func parent(_ kind: String, _ id: String) throws -> String? {
        let rows = try db.query("SELECT parent FROM \(Self.objectsTable) WHERE kind = ? AND id = ?", [.text(kind), .text(id)])
        if case .text(let parent)? = rows.first?.first { return parent }
        return nil
    }

    /// Inserts or replaces; a replaced object keeps its place in the order.
    func putObject(_ kind: String, _ id: String, parent: String = "", _ body: JSON) throws {
        try db.query("""
            INSERT INTO \(Self.objectsTable) (kind, id, parent, ord, body) VALUES (?, ?, ?,
                (SELECT COALESCE(MAX(ord), 0) + 1 FROM \(Self.objectsTable)), ?)
            ON CONFLICT (kind, id) DO UPDATE SET body = excluded.body, parent = excluded.parent
            """, [.text(kind), .text(id), .text(parent), .text(body.encoded)])
    }

    func deleteObject(_ kind: String, _ id: String) throws {
        try db.query("DELETE FROM \(Self.objectsTable) WHERE kind = ? AND id = ?", [.text(kind), .text(id)])
    }

    func deleteObjects(_ kind: String, parent: String) throws {
        try db.query("DELETE FROM \(Self.objectsTable) WHERE kind = ? AND parent = ?", [.text(kind), .text(parent)])
    }
}

extension JSON {
    /// The object with `key` set (added at the end when new), for documents edited in place.
    func setting(_ key: String, _ value: JSON) -> JSON {
        guard case .object(var pairs) = self else { return self }
        if let index = pairs.firstIndex(where: { $0.0 == key }) { pairs[index].1 = value } else { pairs.append((key, value)) }
        return .object(pairs)
    }

    var int: Int? { if case .int(let i) = self { i } else { nil } }
    var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    var array: [JSON]? { if case .array(let a) = self { a } else { nil } }
    var strings: [String]? { array?.compactMap(\.string) }
}
