import Foundation

/// Views (openapi-v3.json `/views…`): listed, described, their fields, and their records and
/// attachments through the same routes as tables'.
extension Sandbox {
    static let viewRoutes: [Route] = [
        Route(.get, "views") { s, _ in .result(.array(try s.locked { try $0.viewNames() }.map(JSON.string))) },
        Route(.get, "views/:viewName") { s, r in
            let view = try s.locked { try $0.object("view", try r.param("viewName"), what: "view") }
            return .result(.object([("Name", view["Name"] ?? .null), ("Note", view["Note"] ?? .null)]))
        },
        Route(.get, "views/:viewName/fields") { s, r in
            let fields = try s.locked { try $0.viewFields(try r.param("viewName")) }
            return .result(.array(fields.enumerated().map { fieldJSON($0, $1.field, source: $1.source) }))
        },
        Route(.get, "views/:viewName/fields/:fieldName") { s, r in
            let (fields, name) = (try s.locked { try $0.viewFields(try r.param("viewName")) }, try r.param("fieldName"))
            guard let index = fields.firstIndex(where: { $0.field.name.caseInsensitiveCompare(name) == .orderedSame }) else {
                throw APIError.notFound("Cannot find field '\(name)'")
            }
            return .result(fieldJSON(index, fields[index].field, source: fields[index].source))
        },
    ] + recordRoutes(prefix: "views/:viewName", param: "viewName") { try $0.viewSource($1) }
        + attachmentRoutes(prefix: "views/:viewName", param: "viewName", isView: true) { try $0.viewSource($1) }
}
