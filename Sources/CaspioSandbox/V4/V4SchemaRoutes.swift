/// Schemas (API-V4-NOTES.md, "Design, schemas, account"): every table, view, directory or
/// webhook with its fields or events in one call, in the list envelope (paged by the usual
/// rules, so up to 100 objects a call by default). Webhooks never show their secret.
extension Sandbox {
    static let v4SchemaRoutes: [Route] = [
        Route(.get, "schemas/tables") { s, r in
            let items = try s.locked { store in
                try store.v4Tables().map { id, name in
                    let fields = try store.fields(of: name)
                    return JSON.object([
                        ("name", .string(name)), ("tableId", .string(id)), ("fieldCount", .int(fields.count)),
                        ("fields", .array(fields.enumerated().map { V4Design.fieldJSON($0, $1) })),
                        ("relationships", .array([])), ("triggeredActions", .array([])),
                    ])
                }
            }
            return try s.v4List(items, r.query)
        },
        Route(.get, "schemas/views") { s, r in
            let items = try s.locked { store in
                try store.v4Views().map { id, name in
                    let fields = try store.viewFields(name)
                    return JSON.object([
                        ("name", .string(name)), ("viewId", .string(id)), ("fieldCount", .int(fields.count)),
                        ("fields", .array(fields.enumerated().map { V4Design.fieldJSON($0, $1.field, tableField: $1.source.isEmpty ? nil : $1.source) })),
                    ])
                }
            }
            return try s.v4List(items, r.query)
        },
        Route(.get, "schemas/directories") { s, r in
            let items = try s.locked { store in
                try store.objects("directory").map { id, body in
                    let fields = try store.usersSource(id).fields
                    return JSON.object([
                        ("name", body["Name"] ?? .null), ("directoryId", .string(V4Choices.objectID(v3: id))), ("fieldCount", .int(fields.count)),
                        ("fields", .array(fields.enumerated().map { V4Design.fieldJSON($0, $1) })),
                    ])
                }
            }
            return try s.v4List(items, r.query)
        },
        Route(.get, "schemas/outgoingWebhooks") { s, r in
            let items = try s.locked { store in
                try store.objects("webhook").map { id, body in
                    let events = try store.objects("event", parent: id).map { _, event in
                        JSON.object([
                            ("objectName", event["ObjectName"] ?? .null), ("type", event["Type"] ?? .null),
                            ("eventSources", event["EventSources"] ?? .array(eventSources.map(JSON.string))),
                        ])
                    }
                    return JSON.object([
                        ("name", body["Name"] ?? .null), ("webhookId", .string(V4Choices.objectID(v3: id))),
                        ("status", body["Status"] ?? .null), ("events", .array(events)),
                    ])
                }
            }
            return try s.v4List(items, r.query)
        },
    ]
}

extension Store {
    /// The account's views with their v4 ids, by name (V4Choices.viewID).
    func v4Views() throws -> [(id: String, name: String)] {
        var taken = Set<String>()
        return try viewNames().sorted { $0.lowercased() < $1.lowercased() }.map { name in
            var attempt = 0
            while taken.contains(V4Choices.viewID(name, attempt: attempt)) { attempt += 1 }
            let id = V4Choices.viewID(name, attempt: attempt)
            taken.insert(id)
            return (id, name)
        }
    }
}
