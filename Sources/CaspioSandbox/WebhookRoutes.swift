import Foundation

/// Outgoing webhooks and their events (openapi-v3.json `/outgoingWebhooks…`). A webhook has
/// URLs, a secret (shown once, at creation) and CallThrottling; an event names a table and a
/// type, with at most one insert and one delete event per table. Delivery: `notify`.
extension Sandbox {
    static let eventTypes = ["table.recordInsert", "table.recordUpdate", "table.recordDelete"]
    static let eventSources = ["Datasheet", "DataPages", "RESTAPIs", "TriggeredActions", "Tasks"]

    static let webhookRoutes: [Route] = [
        Route(.get, "outgoingWebhooks") { s, _ in
            .json(200, .array(try s.locked { try $0.objects("webhook") }.map { webhookJSON($0.body, keys: listKeys) }))
        },
        Route(.post, "outgoingWebhooks") { s, r in
            let body = try documented(try s.jsonBody(r), webhookCreateSettings, "a new webhook")
            let id = UUID().uuidString.lowercased(), now = CaspioDate.now(s.clock.now)
            var hook = JSON.object([
                ("Id", .string(id)), ("Status", .string("Enabled")), ("Secret", .string(UUID().uuidString.replacingOccurrences(of: "-", with: ""))),
                ("DateCreated", .string(now)), ("CreatedBy", .string("sandbox-client")), ("LastModified", .null), ("ModifiedBy", .null),
            ])
            hook = try applyWebhook(body, to: hook, creating: true)
            try s.locked { try $0.putObject("webhook", id, hook) }
            return .json(201, webhookJSON(hook, keys: ["Id", "Name", "Description", "OutgoingUrls", "CallThrottling", "Secret", "DateCreated", "CreatedBy"]))
        },
        Route(.get, "outgoingWebhooks/:webhookId") { s, r in
            let (hook, events) = try s.locked { store in
                let id = try r.param("webhookId")
                return (try store.object("webhook", id, what: "webhook"), try store.objects("event", parent: id).count)
            }
            let counts = s.webhooks.counts(hook["Id"]?.string ?? "")
            return .json(200, webhookJSON(hook, keys: listKeys).setting("Events", .int(events)).setting("Messages", .int(counts.messages))
                .setting("Calls", .int(counts.calls)).setting("Errors", .int(counts.errors)))
        },
        Route(.put, "outgoingWebhooks/:webhookId") { s, r in
            let body = try documented(try s.jsonBody(r), webhookChangeSettings, "a webhook")
            let hook = try s.locked { store in
                let id = try r.param("webhookId")
                var hook = try applyWebhook(body, to: try store.object("webhook", id, what: "webhook"), creating: false)
                hook = hook.setting("LastModified", .string(CaspioDate.now(store.clock))).setting("ModifiedBy", .string("sandbox-client"))
                try store.putObject("webhook", id, hook)
                return hook
            }
            return .json(200, webhookJSON(hook, keys: listKeys))
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
    ] + eventRoutes

    /// The keys a v3 body may carry (openapi-v3.json's WebhookPostRequest, WebhookPutRequest
    /// and WebhookEventRequest, each `additionalProperties: false`). Any other is refused, never
    /// ignored: `Status`, which answers show, is changed by sending `Enabled`, and only on a
    /// change (a new webhook starts enabled).
    static let webhookCreateSettings = ["Name", "Description", "OutgoingUrls", "CallThrottling"]
    static let webhookChangeSettings = webhookCreateSettings + ["Enabled"]
    static let eventSettings = ["EventType", "ObjectName", "ObjectFields", "EventSources", "CustomPayloadFields", "CustomPayloadTemplate", "Enabled"]

    /// `body` when it carries only `settings` (`what` names the object for the message), and
    /// `Enabled`, if any, as a boolean or null; else 400, naming the key and the fix.
    static func documented(_ body: JSON, _ settings: [String], _ what: String) throws(APIError) -> JSON {
        guard case .object(let pairs) = body else { throw APIError.badBody("the body must be a JSON object") }
        for (key, _) in pairs where !settings.contains(key) {
            var message = "'\(key)' is not a setting of \(what): send \(settings.joined(separator: ", "))"
            if key.caseInsensitiveCompare("Status") == .orderedSame || key.caseInsensitiveCompare("Enabled") == .orderedSame {
                message += settings.contains("Enabled") ? #" ("Enabled": false disables it, true enables it)"# : #" (it starts enabled; PUT {"Enabled": false} disables it)"#
            }
            throw APIError.badBody(message)
        }
        if let enabled = body["Enabled"], enabled != .null, enabled.bool == nil { throw APIError.badBody("Enabled must be true or false") }
        return body
    }

    static let listKeys = ["Id", "Status", "Name", "Description", "OutgoingUrls", "CallThrottling", "LastModified", "ModifiedBy", "DateCreated", "CreatedBy"]

    static func webhookJSON(_ hook: JSON, keys: [String]) -> JSON { .object(keys.map { ($0, hook[$0] ?? .null) }) }

    /// A webhook request's fields onto the stored webhook; CallThrottling is 1-100 calls a second.
    static func applyWebhook(_ body: JSON, to hook: JSON, creating: Bool) throws(APIError) -> JSON {
        guard case .object = body else { throw APIError.badBody("the body must be a JSON object") }
        var hook = hook
        if case .string(let name)? = body["Name"] { hook = hook.setting("Name", .string(name)) } else if creating { throw APIError.badBody("Name is required") }
        hook = hook.setting("Description", body["Description"] ?? hook["Description"] ?? .null)
        if let urls = body["OutgoingUrls"] {
            guard let list = urls.strings, !list.isEmpty, list.allSatisfy({ URL(string: $0)?.scheme?.hasPrefix("http") == true }) else {
                throw APIError.badBody("OutgoingUrls must list one or more http(s) URLs")
            }
            hook = hook.setting("OutgoingUrls", .array(list.map(JSON.string)))
        } else if creating { throw APIError.badBody("OutgoingUrls is required") }
        let throttling = body["CallThrottling"]?.int ?? hook["CallThrottling"]?.int ?? 10
        guard (1...100).contains(throttling) else { throw APIError.badBody("CallThrottling must be from 1 to 100") }
        hook = hook.setting("CallThrottling", .int(throttling))
        if let enabled = body["Enabled"]?.bool { hook = hook.setting("Status", .string(enabled ? "Enabled" : "Disabled")) }
        return hook
    }
}
