import Foundation
import Testing

/// v3 webhook and event bodies carry the keys openapi-v3.json documents for them
/// (`additionalProperties: false`): `Enabled` switches a webhook or an event, and any other key
/// (`Status`, which answers show) is a 400 in v3's error shape, never silently ignored.
@Suite struct WebhookSettingsTests {
    @Test func enabledSwitchesAndStatusIsRefused() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let hook = try await sandbox.api("POST", "outgoingWebhooks", json: ["Name": "w", "OutgoingUrls": ["http://127.0.0.1:9/w"]], token: token)
            let id = hook.object["Id"] as? String ?? ""
            #expect(hook.status == 201)

            let refused = try await sandbox.api("PUT", "outgoingWebhooks/\(id)", json: ["Status": "Disabled"], token: token)
            #expect(refused.status == 400)
            #expect(Set(refused.object.keys) == ["Code", "Message", "Resource", "RequestId"], "\(refused.text)")
            #expect(refused.object["Code"] as? String == "IncorrectBodyParameter")
            let message = refused.object["Message"] as? String ?? ""
            #expect(message.hasPrefix("'Status' is not a setting of a webhook: send Name, Description, OutgoingUrls, CallThrottling, Enabled"), "\(message)")
            #expect(message.contains(#""Enabled": false disables it"#), "\(message)")
            #expect(try await sandbox.api("GET", "outgoingWebhooks/\(id)", token: token).object["Status"] as? String == "Enabled")

            let disabled = try await sandbox.api("PUT", "outgoingWebhooks/\(id)", json: ["Enabled": false], token: token)
            #expect(disabled.status == 200 && disabled.object["Status"] as? String == "Disabled", "\(disabled.text)")
            #expect(try await sandbox.api("PUT", "outgoingWebhooks/\(id)", json: ["Enabled": "no"], token: token).status == 400)
            #expect(try await sandbox.api("PUT", "outgoingWebhooks/\(id)", json: ["Name": "w2"], token: token).object["Status"] as? String == "Disabled")

            // A new webhook takes no Enabled (WebhookPostRequest): it starts enabled.
            let created = try await sandbox.api("POST", "outgoingWebhooks", json: ["Name": "x", "OutgoingUrls": ["http://127.0.0.1:9/x"], "Enabled": false], token: token)
            #expect(created.status == 400 && (created.object["Message"] as? String ?? "").contains("it starts enabled"), "\(created.text)")

            // Events: Enabled switches, Status is refused, and a change without Enabled keeps the state.
            let event = try await sandbox.api("POST", "outgoingWebhooks/\(id)/events", json: ["EventType": "table.recordInsert", "ObjectName": "Orders", "Enabled": false], token: token)
            let eventID = event.object["Id"] as? String ?? ""
            #expect(event.status == 201 && event.object["Status"] as? String == "Disabled", "\(event.text)")
            let path = "outgoingWebhooks/\(id)/events/\(eventID)"
            #expect(try await sandbox.api("PUT", path, json: ["EventType": "table.recordInsert", "ObjectName": "Orders", "Status": "Enabled"], token: token).status == 400)
            #expect(try await sandbox.api("PUT", path, json: ["EventType": "table.recordInsert", "ObjectName": "Orders"], token: token).object["Status"] as? String == "Disabled")
            #expect(try await sandbox.api("PUT", path, json: ["EventType": "table.recordInsert", "ObjectName": "Orders", "Enabled": true], token: token).object["Status"] as? String == "Enabled")
        }
    }
}
