import CaspioTestSupport
import Foundation
import Testing

/// A dry run answers every create as Caspio would, on both versions: the object as sent with
/// its id, a placeholder that says it is one (a row: a stand-in PK_ID), so that a script using
/// the id runs through as it does for real; nothing is sent, and the summary names them.
@Suite struct DryRunCreatesTests {
    static let script = """
        local function calls(method) return caspio.stats().requests_by_method[method] or 0 end
        local hook = caspio.webhooks.create({ Name = "dry", OutgoingUrls = { "http://127.0.0.1:9/x" } })
        local event = caspio.webhooks.add_event(hook.Id, { EventType = "table.recordInsert", ObjectName = "Orders" })
        caspio.webhooks.update_event(hook.Id, event.Id, { EventType = "table.recordInsert", ObjectName = "Orders", Status = "Disabled" })
        local directory = caspio.directory(caspio.directories()[1].Id)
        local user = directory:add({ Email = "dry@example.com" })
        local users = directory:add({ { Email = "d1@example.com" }, { Email = "d2@example.com" } })
        local row = caspio.table("Orders"):insert({ Customer_ID = 1, Product_ID = 1, Quantity = 2 })
        print(hook.Id, hook.Name, event.Id, user.UserGUID, user.Email, users[2].UserGUID, users[2].Email, math.type(row.PK_ID))
        local f = assert(io.open("up.txt", "wb")) f:write("hello") f:close()
        local file = caspio.files.upload("up.txt", { name = "dry.txt" })
        print(file.Name, file.ExternalKey)
        local n = 0
        for h in caspio.webhooks.list() do n = n + 1 end
        print(n, calls("POST") + calls("PUT") + calls("PATCH"), (pcall(caspio.files.info, "/dry.txt")))
        """

    @Test(arguments: [3, 4]) func createsAnswerWithPlaceholderIds(version: Int) async throws {
        let result = try await runLuaInSandbox(Self.script, flags: ["--dry-run"], environment: version == 4 ? ["CASPIO_SANDBOX_API": "4"] : [:])
        #expect(result.status == 0, "\(result.stderr)")
        // v3 adds a list of users one request each; v4 in one bulk request.
        let writes = version == 4 ? 7 : 8
        #expect(result.stdout == """
            dry-run-1\tdry\tdry-run-2\tdry-run-3\tdry@example.com\tdry-run-5\td2@example.com\tinteger
            dry.txt\tdry-run-6
            1\t0\tfalse

            """, "\(result.stdout)")
        #expect(result.stderr.contains("dry run: \(writes) writes not sent ("), "\(result.stderr)")
        #expect(result.stderr.contains("dry run: ids dry-run-1 to dry-run-6 are placeholders, not ids of Caspio's objects"), "\(result.stderr)")
    }
}
