@testable import CaspioSandbox
import CaspioTestSupport
import Foundation
import NIOConcurrencyHelpers
import Testing

/// Webhook delivery (API-NOTES.md, "Outgoing webhooks"): a recording server on loopback
/// receives the messages; every wait has a deadline.
@Suite struct WebhookTests {
    /// A loopback listener that answers each call with the next status (the last repeats) and
    /// hands every call to the test through a stream.
    final class Listener: Sendable {
        let server: TestHTTPServer
        let calls: AsyncStream<(Date, TestHTTPServer.Request)>

        init(statuses: [Int] = [200]) throws {
            let (stream, continuation) = AsyncStream<(Date, TestHTTPServer.Request)>.makeStream()
            let count = NIOLockedValueBox(0)
            calls = stream
            server = try TestHTTPServer { request in
                let n = count.withLockedValue { c in defer { c += 1 }; return c }
                continuation.yield((Date(), request))
                return .json(statuses[min(n, statuses.count - 1)], [:])
            }
        }

        /// The next `count` calls, or fewer if `seconds` pass first.
        func next(_ count: Int, within seconds: Double = 10) async -> [(Date, TestHTTPServer.Request)] {
            let calls = calls
            return await withTaskGroup(of: [(Date, TestHTTPServer.Request)]?.self) { group in
                group.addTask {
                    var got: [(Date, TestHTTPServer.Request)] = []
                    for await call in calls {
                        got.append(call)
                        if got.count == count { break }
                    }
                    return got
                }
                group.addTask {
                    try? await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                    return nil
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first ?? []
            }
        }
    }

    /// Whether the sandbox delivered or gave up every message within 10 s.
    func settled(_ sandbox: SandboxHarness) async -> Bool {
        await sandbox.running?.sandbox.webhooks.settled(within: 10) ?? false
    }

    func subscribe(_ sandbox: SandboxHarness, _ token: String, url: String, throttling: Int = 10, events: [[String: Any]]) async throws -> [String: Any] {
        let hook = try await sandbox.api("POST", "outgoingWebhooks", json: ["Name": "test", "OutgoingUrls": [url], "CallThrottling": throttling], token: token)
        #expect(hook.status == 201 && hook.object["Secret"] is String)
        let id = hook.object["Id"] as? String ?? ""
        for event in events {
            #expect(try await sandbox.api("POST", "outgoingWebhooks/\(id)/events", json: event, token: token).status == 201)
        }
        return hook.object
    }

    @Test func changesThroughTheAPIArePostedInCaspiosShape() async throws {
        let listener = try Listener()
        defer { listener.server.shutdown() }
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let hook = try await subscribe(sandbox, token, url: listener.server.origin + "/hook", events: [
                ["EventType": "table.recordInsert", "ObjectName": "Orders"], ["EventType": "table.recordUpdate", "ObjectName": "Orders", "ObjectFields": ["Quantity"]],
                ["EventType": "table.recordDelete", "ObjectName": "Orders"],
            ])
            _ = try await sandbox.api("POST", "tables/Orders/records", json: ["Customer_ID": 1, "Quantity": 3], token: token)
            _ = try await sandbox.api("PUT", "tables/Orders/records?q.where=PK_ID=501", json: ["Shipped": true], token: token)  // not watched
            _ = try await sandbox.api("PUT", "tables/Orders/records?q.where=PK_ID=501", json: ["Quantity": 4], token: token)
            _ = try await sandbox.api("DELETE", "tables/Orders/records?q.where=PK_ID=501", token: token)
            _ = try await sandbox.api("POST", "tables/Products/records", json: ["Name": "unheard"], token: token)  // no event for Products
            let calls = await listener.next(3)
            #expect(calls.count == 3)
            #expect(await settled(sandbox))
            let bodies = calls.compactMap { try? JSONSerialization.jsonObject(with: Data($0.1.body)) as? [String: Any] }
            #expect(Set(bodies.compactMap { $0["eventType"] as? String }) == ["table.recordInsert", "table.recordUpdate", "table.recordDelete"])
            for body in bodies {
                #expect(Set(body.keys) == ["eventId", "messageId", "webhookId", "accountId", "secret", "eventDate", "eventType", "objectName", "data"])
                #expect(body["secret"] as? String == hook["Secret"] as? String && body["objectName"] as? String == "Orders")
                #expect((body["data"] as? [[String: Any]])?.first?["PK_ID"] as? Int == 501)
            }
            let stats = try await sandbox.send("GET", "/_sandbox/stats").object["webhooks"] as? [String: Int]
            #expect(stats?["messages"] == 3 && stats?["delivered"] == 3)
            let counted = try await sandbox.api("GET", "outgoingWebhooks/\(hook["Id"] as? String ?? "")", token: token).object
            #expect(counted["Events"] as? Int == 3 && counted["Messages"] as? Int == 3 && counted["Calls"] as? Int == 3)
        }
    }

    @Test func failedCallsAreRetriedAndThrottled() async throws {
        let listener = try Listener(statuses: [500, 200])
        defer { listener.server.shutdown() }
        try await SandboxHarness.with({ $0.webhookRetryDelay = 0.05 }) { sandbox in
            let token = try await sandbox.accessToken()
            _ = try await subscribe(sandbox, token, url: listener.server.origin + "/hook", throttling: 2, events: [["EventType": "table.recordInsert", "ObjectName": "Products"]])
            _ = try await sandbox.api("POST", "tables/Products/records", json: ["Name": "a"], token: token)
            _ = try await sandbox.api("POST", "tables/Products/records", json: ["Name": "b"], token: token)
            let calls = await listener.next(3)
            #expect(calls.count == 3)  // a fails once, then a and b arrive
            // Two calls a second: the first and the third call are sent a second apart. They are
            // timed here on arrival, which a loaded machine can delay for the first more than
            // for the third: hence the margin.
            if calls.count == 3 { #expect(calls[2].0.timeIntervalSince(calls[0].0) >= 0.6) }
            #expect(await settled(sandbox))
            let stats = try await sandbox.send("GET", "/_sandbox/stats").object["webhooks"] as? [String: Int]
            #expect(stats?["retries"] == 1 && stats?["errors"] == 1 && stats?["calls"] == 3)
        }
    }

    /// The pause before a retry is on the sandbox's clock: with a test's, 30 s pass when the
    /// test says.
    @Test func aRetryWaitsOnTheSandboxsClock() async throws {
        let listener = try Listener(statuses: [500, 200])
        defer { listener.server.shutdown() }
        let clock = TestClock()
        try await SandboxHarness.with({ $0.webhookRetryDelay = 30 }, clock: SandboxClock(clock)) { sandbox in
            let token = try await sandbox.accessToken()
            _ = try await subscribe(sandbox, token, url: listener.server.origin + "/hook", throttling: 2, events: [["EventType": "table.recordInsert", "ObjectName": "Products"]])
            _ = try await sandbox.api("POST", "tables/Products/records", json: ["Name": "a"], token: token)
            #expect(await waitFor(10) { clock.sleeping == 1 }, "the failed call's retry waits on the clock")
            clock.advance(by: .seconds(29))
            #expect(clock.sleeping == 1, "a second early, still waiting")
            clock.advance(by: .seconds(1))
            #expect(await listener.next(2).count == 2)
            #expect(await settled(sandbox))
        }
    }

    @Test func onlyLoopbackURLsAreCalledAndEventRulesHold() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let hook = try await subscribe(sandbox, token, url: "http://192.0.2.1/hook", events: [["EventType": "table.recordInsert", "ObjectName": "Products"]])
            let id = hook["Id"] as? String ?? ""
            _ = try await sandbox.api("POST", "tables/Products/records", json: ["Name": "a"], token: token)
            let stats = try await sandbox.send("GET", "/_sandbox/stats").object["webhooks"] as? [String: Int]
            #expect(stats?["refused"] == 1 && stats?["calls"] == 0)
            let second = try await sandbox.api("POST", "outgoingWebhooks/\(id)/events", json: ["EventType": "table.recordInsert", "ObjectName": "Products"], token: token)
            #expect(second.status == 400)  // one insert event per table
            #expect(try await sandbox.api("POST", "outgoingWebhooks/\(id)/events", json: ["EventType": "table.recordDelete", "ObjectName": "Products", "ObjectFields": ["Name"]], token: token).status == 400)
            #expect(try await sandbox.api("POST", "outgoingWebhooks/\(id)/events", json: ["EventType": "table.recordDelete", "ObjectName": "Nope"], token: token).status == 404)
            #expect(try await sandbox.api("POST", "outgoingWebhooks", json: ["Name": "x", "OutgoingUrls": ["http://127.0.0.1/"], "CallThrottling": 0], token: token).status == 400)
            #expect(try await sandbox.api("GET", "outgoingWebhooks", token: token).json as? [[String: Any]] != nil)
        }
    }

    @Test func importsReachTaskEventsAndLargeChangesAreSplit() async throws {
        let listener = try Listener()
        defer { listener.server.shutdown() }
        try await SandboxHarness.with({ $0.webhookMessageBytes = 300 }) { sandbox in
            let token = try await sandbox.accessToken()
            _ = try await subscribe(sandbox, token, url: listener.server.origin + "/hook", events: [
                ["EventType": "table.recordInsert", "ObjectName": "Products", "EventSources": ["Tasks"]],
                ["EventType": "table.recordUpdate", "ObjectName": "Products"],
            ])
            _ = try await sandbox.api("POST", "tables/Products/records", json: ["Name": "not from a task"], token: token)
            #expect(try await sandbox.api("POST", "dataImportExportTasks/00000000-0000-4000-8000-000000000302/run", token: token).status == 204)
            // Eight products, about 50 bytes each: 300 bytes of data a message make two messages.
            _ = try await sandbox.api("PUT", "tables/Products/records?q.where=\(q("PK_ID <= 8"))", json: ["Price": 1], token: token)
            let calls = await listener.next(3)
            #expect(await settled(sandbox))
            let bodies = calls.compactMap { try? JSONSerialization.jsonObject(with: Data($0.1.body)) as? [String: Any] }
            let imported = bodies.filter { $0["eventType"] as? String == "table.recordInsert" }
            #expect(imported.count == 1 && (imported.first?["data"] as? [[String: Any]])?.compactMap { $0["Name"] as? String } == ["Glue stick", "Scissors"])
            let updates = bodies.filter { $0["eventType"] as? String == "table.recordUpdate" }.map { ($0["data"] as? [Any])?.count ?? 0 }
            #expect(updates.count == 2 && updates.reduce(0, +) == 8)
            #expect((try await sandbox.send("GET", "/_sandbox/stats").object["webhooks"] as? [String: Int])?["messages"] == 3)
        }
    }
}
