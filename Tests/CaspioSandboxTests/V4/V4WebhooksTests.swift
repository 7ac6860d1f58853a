@testable import CaspioSandbox
import Foundation
import Testing

/// Outgoing webhooks on v4: the same webhooks as v3's in v4's words, events naming tables by
/// tableId, `regenerateSecret`, and deliveries signed with HMAC-SHA256.
@Suite struct V4WebhooksTests {
    static let demoHook = "00000000-0000-4000-8000-000000000201"

    @Test func webhooksAndEventsInV4Words() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let list = try await sandbox.v4("GET", "outgoingWebhooks", token: token)
            #expect(list.data.map { $0["webhookId"] as? String } == [Self.demoHook] && list.data.first?["enabled"] as? Bool == false)
            #expect(!list.text.contains("demo-webhook-secret"))
            let demoEvents = try await sandbox.v4("GET", "outgoingWebhooks/\(Self.demoHook)/events", token: token).data
            let orders = try await sandbox.tableID("Orders", token: token)
            #expect(demoEvents.map { $0["objectId"] as? String } == [orders, orders] && demoEvents.first?["defaultPayloadIncludesSecret"] as? Bool == true)
            let created = try await sandbox.v4("POST", "outgoingWebhooks", json: ["name": "v4", "outgoingUrls": ["http://127.0.0.1:9/v4"], "callThrottling": 3], token: token)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.data.first?["webhookId"] as? String)
            let secret = try #require(created.data.first?["secret"] as? String)
            #expect(try await sandbox.v4("GET", "outgoingWebhooks/\(id)", token: token).data.first?["secret"] == nil)
            #expect(try await sandbox.v4("POST", "outgoingWebhooks", json: ["name": "x", "outgoingUrls": ["x"], "Secret": "s"], token: token).status == 400)
            let patched = try await sandbox.v4("PATCH", "outgoingWebhooks/\(id)", json: ["enabled": false, "description": "off"], token: token)
            #expect(patched.data.first?["status"] as? String == "Disabled" && patched.data.first?["name"] as? String == "v4")
            let renewed = try await sandbox.v4("PATCH", "outgoingWebhooks/\(id)/regenerateSecret", token: token)
            #expect(renewed.status == 200 && (renewed.data.first?["secret"] as? String).map { !$0.isEmpty && $0 != secret } == true)
            // v3 sees the same webhook.
            #expect(try await sandbox.api("GET", "outgoingWebhooks/\(id)", token: token).object["Name"] as? String == "v4")
            let event = try await sandbox.v4("POST", "outgoingWebhooks/\(id)/events", json: ["type": "table.recordInsert", "objectId": orders], token: token)
            #expect(event.status == 201 && event.data.first?["objectName"] as? String == "Orders" && event.data.first?["defaultPayloadIncludesSecret"] as? Bool == false, "\(event.text)")
            let eventID = try #require(event.data.first?["eventId"] as? String)
            #expect(try await sandbox.v4("POST", "outgoingWebhooks/\(id)/events", json: ["type": "table.recordInsert", "objectId": "Orders"], token: token).status == 404)
            let changed = try await sandbox.v4("PATCH", "outgoingWebhooks/\(id)/events/\(eventID)", json: ["type": "table.recordDelete"], token: token)
            #expect(changed.data.first?["type"] as? String == "table.recordDelete" && changed.data.first?["objectId"] as? String == orders, "\(changed.text)")
            #expect(try await sandbox.v4("GET", "outgoingWebhooks/\(id)/events", token: token).pagination["totalCount"] == 1)
            #expect(try await sandbox.v4("GET", "outgoingWebhooks/\(id)/events/\(eventID)", token: token).data.first?["enabled"] as? Bool == true)
            #expect(try await sandbox.v4("DELETE", "outgoingWebhooks/\(id)/events/\(eventID)", token: token).status == 204)
            #expect(try await sandbox.v4("DELETE", "outgoingWebhooks/\(id)", token: token).status == 204)
            #expect(try await sandbox.v4("GET", "outgoingWebhooks/\(id)", token: token).status == 404)
        }
    }

    @Test func signatureIsHMACSHA256OfTheBody() {
        // RFC 4231, test case 2.
        #expect(WebhookDelivery.signature(Array("what do ya want for nothing?".utf8), secret: "Jefe")
            == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func deliveriesAreSignedAndCarryNoSecretUnlessAsked() async throws {
        let listener = try WebhookTests.Listener()
        defer { listener.server.shutdown() }
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let orders = try await sandbox.tableID("Orders", token: token), products = try await sandbox.tableID("Products", token: token)
            let hook = try await sandbox.v4("POST", "outgoingWebhooks", json: ["name": "signed", "outgoingUrls": [listener.server.origin + "/hook"]], token: token)
            let id = hook.data.first?["webhookId"] as? String ?? ""
            _ = try await sandbox.v4("PATCH", "outgoingWebhooks/\(id)/regenerateSecret", token: token)
            let secret = try await sandbox.v4("PATCH", "outgoingWebhooks/\(id)/regenerateSecret", token: token).data.first?["secret"] as? String ?? ""
            _ = try await sandbox.v4("POST", "outgoingWebhooks/\(id)/events", json: ["type": "table.recordInsert", "objectId": orders], token: token)
            _ = try await sandbox.v4("POST", "outgoingWebhooks/\(id)/events", json: ["type": "table.recordInsert", "objectId": products, "defaultPayloadIncludesSecret": true], token: token)
            _ = try await sandbox.v4("POST", "tables/\(orders)/records/bulk", json: [["Quantity": 1], ["Quantity": 2]], token: token)
            _ = try await sandbox.v4("POST", "tables/\(products)/records", json: ["Name": "Ruler"], token: token)
            let calls = await listener.next(2)
            #expect(calls.count == 2)
            for (_, call) in calls {
                #expect(call.header(WebhookDelivery.signatureHeader) == WebhookDelivery.signature(call.body, secret: secret), "\(call.bodyText)")
                let body = try JSONSerialization.jsonObject(with: Data(call.body)) as? [String: Any] ?? [:]
                if body["objectName"] as? String == "Orders" {
                    #expect(body["secret"] == nil && (body["data"] as? [Any])?.count == 2)
                } else {
                    #expect(body["secret"] as? String == secret)
                }
            }
        }
    }
}
