#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A webhook's events (openapi-v3.json `/outgoingWebhooks/{id}/events…`).
extension Sandbox {
    static let eventRoutes: [Route] = [
        Route(.get, "outgoingWebhooks/:webhookId/events") { s, r in
            let events = try s.locked { store in
                let id = try r.param("webhookId")
                _ = try store.object("webhook", id, what: "webhook")
                return try store.objects("event", parent: id)
            }
            return .json(200, .array(events.map { eventJSON($0.body, keys: eventKeys) }))
        },
        Route(.post, "outgoingWebhooks/:webhookId/events") { s, r in
            let body = try documented(try s.jsonBody(r), eventSettings, "a webhook event")
            let event = try s.locked { store in
                let hook = try r.param("webhookId")
                _ = try store.object("webhook", hook, what: "webhook")
                let id = UUID().uuidString.lowercased()
                var event = JSON.object([
                    ("Id", .string(id)), ("DateCreated", .string(CaspioDate.now(store.clock))), ("CreatedBy", .string("sandbox-client")),
                    ("LastModified", .null), ("ModifiedBy", .null),
                ])
                event = try applyEvent(body, to: event, store: store, webhook: hook, id: id)
                try store.putObject("event", id, parent: hook, event)
                return event
            }
            return .json(201, eventJSON(event, keys: ["Id", "Type", "Status", "ObjectName", "ObjectFields", "EventSources", "CustomPayloadFields",
                                                       "CustomPayloadTemplate", "DateCreated", "CreatedBy"]))
        },
        Route(.get, "outgoingWebhooks/:webhookId/events/:eventId") { s, r in
            let event = try s.locked { try $0.event(r) }
            let counts = s.webhooks.counts(event["Id"]?.string ?? "")
            return .json(200, eventJSON(event, keys: eventKeys).setting("Messages", .int(counts.messages)).setting("Calls", .int(counts.calls))
                .setting("Errors", .int(counts.errors)))
        },
        Route(.put, "outgoingWebhooks/:webhookId/events/:eventId") { s, r in
            let body = try documented(try s.jsonBody(r), eventSettings, "a webhook event")
            let event = try s.locked { store in
                var event = try store.event(r)
                let id = event["Id"]?.string ?? ""
                event = try applyEvent(body, to: event, store: store, webhook: try r.param("webhookId"), id: id)
                event = event.setting("LastModified", .string(CaspioDate.now(store.clock))).setting("ModifiedBy", .string("sandbox-client"))
                try store.putObject("event", id, parent: try r.param("webhookId"), event)
                return event
            }
            return .json(200, eventJSON(event, keys: eventKeys.filter { $0 != "ObjectId" }))
        },
        Route(.delete, "outgoingWebhooks/:webhookId/events/:eventId") { s, r in
            try s.locked { store in try store.deleteObject("event", try store.event(r)["Id"]?.string ?? "") }
            return .noContent
        },
    ]

    static let eventKeys = ["Id", "Type", "Status", "ObjectName", "ObjectId", "ObjectFields", "EventSources", "CustomPayloadFields",
                            "CustomPayloadTemplate", "LastModified", "ModifiedBy", "DateCreated", "CreatedBy"]

    static func eventJSON(_ event: JSON, keys: [String]) -> JSON { .object(keys.map { ($0, event[$0] ?? .null) }) }

    /// A `WebhookEventRequest` onto the stored event: a known type, an existing table, at most
    /// one insert and one delete event per table on a webhook, ObjectFields only for updates.
    static func applyEvent(_ body: JSON, to event: JSON, store: Store, webhook: String, id: String) throws -> JSON {
        guard case .string(let type)? = body["EventType"], eventTypes.contains(type) else {
            throw APIError.badBody("EventType must be one of \(eventTypes.joined(separator: ", "))")
        }
        guard case .string(let objectName)? = body["ObjectName"] else { throw APIError.badBody("ObjectName is required") }
        let table = try store.canonicalTable(objectName)
        _ = try store.fields(of: table)
        if type != "table.recordUpdate", try store.objects("event", parent: webhook).contains(where: {
            $0.id != id && $0.body["Type"]?.string == type && $0.body["ObjectName"]?.string?.lowercased() == table.lowercased()
        }) {
            throw APIError.badBody("The webhook already has a \(type) event for '\(table)'")
        }
        let fields = body["ObjectFields"]?.strings ?? []
        guard fields.isEmpty || type == "table.recordUpdate" else { throw APIError.badBody("ObjectFields apply to update events only") }
        let sources = body["EventSources"]?.strings ?? eventSources
        guard sources.allSatisfy(eventSources.contains) else { throw APIError.badBody("EventSources must be among \(eventSources.joined(separator: ", "))") }
        return event.setting("Type", .string(type)).setting("ObjectName", .string(table)).setting("ObjectId", .string(table))
            .setting("ObjectFields", .array(fields.map(JSON.string))).setting("EventSources", .array(sources.map(JSON.string)))
            .setting("CustomPayloadFields", .array((body["CustomPayloadFields"]?.strings ?? []).map(JSON.string)))
            .setting("CustomPayloadTemplate", body["CustomPayloadTemplate"] ?? .null)
            // Enabled absent or null leaves the event as it is (a new one enabled).
            .setting("Status", .string(body["Enabled"]?.bool.map { $0 ? "Enabled" : "Disabled" } ?? event["Status"]?.string ?? "Enabled"))
    }
}

extension Store {
    /// The event the request names, under the webhook it names.
    func event(_ r: SandboxRequest) throws -> JSON {
        let hook = try r.param("webhookId"), id = try r.param("eventId")
        _ = try object("webhook", hook, what: "webhook")
        guard try parent("event", id) == hook else { throw StoreError.notFound("Cannot find event '\(id)'") }
        return try object("event", id, what: "event")
    }
}
