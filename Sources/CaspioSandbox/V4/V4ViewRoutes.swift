import Foundation

/// View design (4 operations) and view records (as tables', without password fields, which
/// views never show): views by their six-character id. A view of one table is written through
/// to it; a view of several answers 403, as on v3.
extension Sandbox {
    static let v4ViewRoutes: [Route] = [
        Route(.get, "views") { s, r in
            let items = try s.locked { store in try store.v4Views().map { try v4ViewJSON(store, id: $0.id, name: $0.name) } }
            return try s.v4List(items, r.query)
        },
        Route(.get, "views/:viewId") { s, r in
            V4Choices.single(try s.locked { store in
                let name = try store.v4View(try r.param("viewId"))
                return try v4ViewJSON(store, id: try r.param("viewId").lowercased(), name: name)
            })
        },
        Route(.get, "views/:viewId/fields") { s, r in
            let fields = try s.locked { store in try store.viewFields(try store.v4View(try r.param("viewId"))) }
            return try s.v4List(fields.enumerated().map { V4Design.fieldJSON($0, $1.field, tableField: $1.source.isEmpty ? nil : $1.source) }, r.query)
        },
        Route(.get, "views/:viewId/fields/:fieldName") { s, r in
            let fields = try s.locked { store in try store.viewFields(try store.v4View(try r.param("viewId"))) }
            let name = try r.param("fieldName")
            guard let index = fields.firstIndex(where: { $0.field.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw APIError.notFound("Cannot find field '\(name)'")
            }
            let field = fields[index]
            return V4Choices.single(V4Design.fieldJSON(index, field.field, tableField: field.source.isEmpty ? nil : field.source))
        },
    ] + v4RecordRoutes(prefix: "views/:viewId") { store, r in try store.viewSource(try store.v4View(try r.param("viewId"))) }

    static func v4ViewJSON(_ store: Store, id: String, name: String) throws -> JSON {
        let view = try store.object("view", name, what: "view")
        return .object([
            ("viewId", .string(id)), ("name", .string(name)), ("fieldCount", .int(try store.viewFields(name).count)),
            ("description", view["Note"] ?? .null), ("tables", view["Tables"] ?? .array([])),
        ])
    }
}

extension Store {
    /// The view a v4 id names; not found when none does.
    func v4View(_ id: String) throws -> String {
        guard let view = try v4Views().first(where: { $0.id == id.lowercased() }) else {
            throw StoreError.notFound("Cannot find a view with viewId '\(id)'")
        }
        return view.name
    }
}
