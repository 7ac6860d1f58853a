import CaspioTestSupport
import Foundation
import Testing

/// `Status` in the webhook functions is sent as the flag each version's bodies take (v3's
/// `Enabled`, v4's `enabled`), so that `update(id, {Status = "Disabled"})` disables the webhook
/// on both, each write one request.
@Suite struct WebhookStatusTests {
    @Test(arguments: [3, 4]) func statusSwitchesWebhooksAndEvents(version: Int) async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            local function writes() local m = caspio.stats().requests_by_method return (m.POST or 0) + (m.PUT or 0) + (m.PATCH or 0) end
            local hook = caspio.webhooks.create({ Name = "s", OutgoingUrls = { "http://127.0.0.1:9/s" } })
            print("update", caspio.webhooks.update(hook.Id, { Status = "Disabled" }).Status, caspio.webhooks.get(hook.Id).Status)
            local event = caspio.webhooks.add_event(hook.Id, { EventType = "table.recordInsert", ObjectName = "Orders", Status = "Disabled" })
            print("event", event.Status, caspio.webhooks.event(hook.Id, event.Id).Status)
            caspio.webhooks.update_event(hook.Id, event.Id, { EventType = "table.recordInsert", ObjectName = "Orders", Status = "Enabled" })
            print("event changed", caspio.webhooks.event(hook.Id, event.Id).Status, writes())
            expect_error(caspio.webhooks.update, hook.Id, { Status = "Off" })
            print("writes", writes())
            """, environment: version == 4 ? V4ObjectsTests.v4 : [:])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            update\tDisabled\tDisabled
            event\tDisabled\tDisabled
            event changed\tEnabled\t4
            error\tStatus is "Enabled" or "Disabled" (got the string "Off")
            writes\t4

            """, "\(result.stdout)")
    }
}
