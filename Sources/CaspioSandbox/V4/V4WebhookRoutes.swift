import Foundation

/// Outgoing webhooks on v4 (11 operations): the same webhooks and events as v3's, in lower camel
/// case, events naming their table by tableId (`objectId`). The secret is shown at creation and
/// by `regenerateSecret` only. Deliveries are signed (`WebhookDelivery.signatureHeader`); an
/// event made with `defaultPayloadIncludesSecret` false leaves the secret out of the body.
extension Sandbox {
    static let v4WebhookRoutes: [Route] = [
        Route(.get, "outgoingWebhooks") { s, r in
            try s.v4List(try s.locked { store in try store.objects("webhook").map { v4Webhook($0.body) } }, r.query)
        },
        Route(.post, "outgoingWebhooks") { s, r in
            let body = try v3Webhook(try s.jsonBody(r))
            let id = UUID().uuidString.lowercased(), now = CaspioDate.now(s.clock.now)
            let hook = try applyWebhook(body, to: .object([
                ("Id", .string(id)), ("Status", .string("Enabled")), ("Secret", .string(newSecret())),
                ("DateCreated", .string(now)), ("CreatedBy", .string("sandbox-client")), ("LastModified", .null), ("ModifiedBy", .null),
            ]), creating: true)
            try s.locked { try $0.putObject("webhook", id, hook) }
            return V4Choices.single(v4Webhook(hook).setting("secret", hook["Secret"] ?? .null), status: 201)
        },
        Route(.get, "outgoingWebhooks/:webhookId") { s, r in
            V4Choices.single(v4Webhook(try s.locked { try $0.object("webhook", try r.param("webhookId"), what: "webhook") }))
        },
        Route(.patch, "outgoingWebhooks/:webhookId") { s, r in
            let body = try v3Webhook(try s.jsonBody(r))
            let hook = try s.locked { store in
                let id = try r.param("webhookId")
                let hook = try applyWebhook(body, to: try store.object("webhook", id, what: "webhook"), creating: false)
                    .setting("LastModified", .string(CaspioDate.now(store.clock))).setting("ModifiedBy", .string("sandbox-client"))
                try store.putObject("webhook", id, hook)
                return hook
            }
            return V4Choices.single(v4Webhook(hook))
        },
        Route(.delete, "outgoingWebhooks/:webhookId") { s, r in
            try s.locked { store in
                let id = try r.param("webhookId")
                _ = try store.object("webhook", id, what: "webhook")
                try store.deleteObjects("event", parent: id)
                try store.deleteObject("webhook", id)
            }
            return .noContent
        },
        Route(.patch, "outgoingWebhooks/:webhookId/regenerateSecret") { s, r in
            let hook = try s.locked { store in
                let id = try r.param("webhookId")
                let hook = try store.object("webhook", id, what: "webhook").setting("Secret", .string(newSecret()))
                    .setting("LastModified", .string(CaspioDate.now(store.clock))).setting("ModifiedBy", .string("sandbox-client"))
                try store.putObject("webhook", id, hook)
                return hook
            }
            return V4Choices.single(.object([("webhookId", hook["Id"] ?? .null), ("secret", hook["Secret"] ?? .null)]))
        },
        Route(.get, "outgoingWebhooks/:webhookId/events") { s, r in
            let events = try s.locked { store in
                let id = try r.param("webhookId")
                _ = try store.object("webhook", id, what: "webhook")
                return try store.objects("event", parent: id).map { try v4Event($0.body, store) }
            }
            return try s.v4List(events, r.query)
        },
        Route(.post, "outgoingWebhooks/:webhookId/events") { s, r in
            let body = try s.jsonBody(r)
            let event = try s.locked { store in
                let hook = try r.param("webhookId")
                _ = try store.object("webhook", hook, what: "webhook")
                let id = UUID().uuidString.lowercased()
                let base = JSON.object([
                    ("Id", .string(id)), ("DateCreated", .string(CaspioDate.now(store.clock))), ("CreatedBy", .string("sandbox-client")),
                    ("LastModified", .null), ("ModifiedBy", .null),
                ])
                let event = try v4ApplyEvent(body, to: base, store: store, webhook: hook, id: id)
                try store.putObject("event", id, parent: hook, event)
                return try v4Event(event, store)
            }
            return V4Choices.single(event, status: 201)
        },
        Route(.get, "outgoingWebhooks/:webhookId/events/:eventId") { s, r in
            V4Choices.single(try s.locked { store in try v4Event(try store.event(r), store) })
        },
        Route(.patch, "outgoingWebhooks/:webhookId/events/:eventId") { s, r in
            let body = try s.jsonBody(r)
            let event = try s.locked { store in
                let old = try store.event(r), id = old["Id"]?.string ?? ""
                let event = try v4ApplyEvent(body, to: old, store: store, webhook: try r.param("webhookId"), id: id)
                    .setting("LastModified", .string(CaspioDate.now(store.clock))).setting("ModifiedBy", .string("sandbox-client"))
                try store.putObject("event", id, parent: try r.param("webhookId"), event)
                return try v4Event(event, store)
            }
            return V4Choices.single(event)
        },
        Route(.delete, "outgoingWebhooks/:webhookId/events/:eventId") { s, r in
            try s.locked { store in try store.deleteObject("event", try store.event(r)["Id"]?.string ?? "") }
            return .noContent
        },
    ]

    static func newSecret() -> String { UUID().uuidString.replacingOccurrences(of: "-", with: "") }

    /// v4's webhook keys as v3's, for `applyWebhook` (v3's rules: URLs, CallThrottling 1-100).
    static func v3Webhook(_ body: JSON) throws(APIError) -> JSON {
        guard case .object(let pairs) = body else { throw APIError.badBody("the body must be a JSON object") }
        let names = ["name": "Name", "description": "Description", "outgoingUrls": "OutgoingUrls", "callThrottling": "CallThrottling", "enabled": "Enabled"]
        var result: [(String, JSON)] = []
        for (key, value) in pairs {
            guard let v3 = names[key] else { throw APIError.badBody("'\(key)' is not a webhook setting: use \(names.keys.sorted().joined(separator: ", "))") }
            result.append((v3, value))
        }
        return .object(result)
    }

    static func v4Webhook(_ hook: JSON) -> JSON {
        .object([
            ("webhookId", .string(V4Choices.objectID(v3: hook["Id"]?.string ?? ""))), ("name", hook["Name"] ?? .null),
            ("description", hook["Description"] ?? .null), ("outgoingUrls", hook["OutgoingUrls"] ?? .array([])),
            ("callThrottling", hook["CallThrottling"] ?? .null), ("status", hook["Status"] ?? .null),
            ("enabled", .bool(hook["Status"]?.string == "Enabled")), ("dateCreated", hook["DateCreated"] ?? .null),
            ("createdBy", hook["CreatedBy"] ?? .null), ("lastModified", hook["LastModified"] ?? .null), ("modifiedBy", hook["ModifiedBy"] ?? .null),
        ])
    }

    /// A v4 event body (all keys optional on PATCH, the stored event filling in) through v3's rules.
    static func v4ApplyEvent(_ body: JSON, to event: JSON, store: Store, webhook: String, id: String) throws -> JSON {
        guard case .object(let pairs) = body else { throw APIError.badBody("the body must be a JSON object") }
        let known: Set = ["type", "objectId", "objectFields", "eventSources", "defaultPayloadIncludesSecret", "defaultPayloadFields", "customPayloadTemplate", "enabled"]
        if let unknown = pairs.first(where: { !known.contains($0.0) }) {
            throw APIError.badBody("'\(unknown.0)' is not an event setting: use \(known.sorted().joined(separator: ", "))")
        }
        var table = event["ObjectName"]?.string
        if let objectID = body["objectId"] {
            guard let tableID = objectID.string else { throw APIError.badBody("objectId must be a tableId") }
            table = try store.v4Table(tableID)
        }
        guard let table else { throw APIError(400, "IncorrectBodyParameter", "objectId is required", remediation: "Name the table by its tableId (GET /v4/tables).") }
        let enabled = body["enabled"]?.bool ?? (event["Status"].map { $0.string != "Disabled" } ?? true)
        let v3 = JSON.object([
            ("EventType", body["type"] ?? event["Type"] ?? .null), ("ObjectName", .string(table)),
            ("ObjectFields", body["objectFields"] ?? event["ObjectFields"] ?? .array([])),
            ("EventSources", body["eventSources"] ?? event["EventSources"] ?? .array(eventSources.map(JSON.string))),
            ("CustomPayloadFields", body["defaultPayloadFields"] ?? event["CustomPayloadFields"] ?? .array([])),
            ("CustomPayloadTemplate", body["customPayloadTemplate"] ?? event["CustomPayloadTemplate"] ?? .null), ("Enabled", .bool(enabled)),
        ])
        // Compatibility mode is off unless asked for: v4 events are signed, not carrying the secret.
        let includes = body["defaultPayloadIncludesSecret"]?.bool ?? event["IncludesSecret"]?.bool ?? false
        return try applyEvent(v3, to: event, store: store, webhook: webhook, id: id).setting("IncludesSecret", .bool(includes))
    }

    static func v4Event(_ event: JSON, _ store: Store) throws -> JSON {
        let table = event["ObjectName"]?.string ?? ""
        return .object([
            ("eventId", .string(V4Choices.objectID(v3: event["Id"]?.string ?? ""))), ("type", event["Type"] ?? .null),
            ("objectId", .string(try store.v4TableID(table))), ("objectName", .string(table)),
            ("objectFields", event["ObjectFields"] ?? .array([])), ("eventSources", event["EventSources"] ?? .array([])),
            // Events made on v3 carry the secret in their body, as v3's default shape does.
            ("defaultPayloadIncludesSecret", .bool(event["IncludesSecret"]?.bool ?? true)),
            ("defaultPayloadFields", event["CustomPayloadFields"] ?? .array([])),
            ("customPayloadTemplate", event["CustomPayloadTemplate"] ?? .null), ("enabled", .bool(event["Status"]?.string != "Disabled")),
        ])
    }
}
