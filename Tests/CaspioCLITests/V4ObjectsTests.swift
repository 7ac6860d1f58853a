import CaspioTestSupport
import Foundation
import Testing

/// The module's helpers for the account's other objects on REST API v4 (`caspio run --sandbox`
/// with CASPIO_SANDBOX_API=4): files, webhooks and events, directory users, tasks and
/// attachments write through v4's operations, answer in v3's names, are counted as requests,
/// and a dry run reports each write without sending it.
@Suite struct V4ObjectsTests {
    static let v4 = ["CASPIO_SANDBOX_API": "4"]

    @Test func filesWebhooksUsersTasksAndAttachmentsWriteOnV4() throws {
        let result = try runLuaInSandbox("""
            local function calls(method) return caspio.stats().requests_by_method[method] or 0 end
            local function writes() return calls("POST") + calls("PUT") + calls("PATCH") + calls("DELETE") end
            local f = assert(io.open("up.txt", "wb")) f:write("hello v4") f:close()
            local w = writes()
            local up = caspio.files.upload("up.txt", { name = "v4-up.txt" })
            local replaced = caspio.files.upload("up.txt", { name = "v4-up.txt", overwrite = true })
            print("file", up.Name, replaced.Name, caspio.files.info(up.ExternalKey).Size, caspio.files.info("/v4-up.txt").Name, writes() - w)
            caspio.files.delete(up.ExternalKey)
            print("file deleted", (pcall(caspio.files.info, up.ExternalKey)), writes() - w)

            w = writes()
            local hook = caspio.webhooks.create({ Name = "v4 hook", OutgoingUrls = { "http://127.0.0.1:9/x" }, CallThrottling = 5 })
            local event = caspio.webhooks.add_event(hook.Id, { EventType = "table.recordUpdate", ObjectName = "Customers", ObjectFields = { "Email" } })
            local changed = caspio.webhooks.update(hook.Id, { Status = "Disabled" })
            caspio.webhooks.update_event(hook.Id, event.Id, { EventType = "table.recordUpdate", ObjectName = "Customers", ObjectFields = { "Name" } })
            local read = caspio.webhooks.event(hook.Id, event.Id)
            print("webhook", hook.Name, type(hook.Secret), changed.Status, read.Type, read.ObjectName, read.ObjectFields[1], writes() - w)
            caspio.webhooks.delete_event(hook.Id, event.Id)
            caspio.webhooks.delete(hook.Id)
            local n = 0
            for h in caspio.webhooks.list() do if h.Id == hook.Id then n = n + 1 end end
            print("webhook deleted", n, writes() - w)

            local directory = caspio.directory(caspio.directories()[1].Id)
            w = writes()
            local user = directory:add({ Email = "v4user@example.com", FirstName = "Vee" })
            print("user", user.Email, user.Status, type(directory:activate(user.UserGUID)))
            print("users updated", directory:update({ Email = "v4user@example.com" }, { LastName = "Four" }))
            local got
            for u in directory:users({ where = { Email = "v4user@example.com" } }) do got = u end
            print("user read", got.LastName, got.Status)
            print("users deleted", directory:delete({ Email = "v4user@example.com" }), writes() - w)

            w = writes()
            local key
            for t in caspio.tasks.list() do if t.Name == "Export customers" then key = t.ExternalKey end end
            print("task", caspio.tasks.get(key).Name, caspio.tasks.run(key), writes() - w)

            local staff = caspio.table("Staff")
            local g = assert(io.open("photo.txt", "wb")) g:write("photo!") g:close()
            w = writes()
            staff:attachment("Photo", 2):upload("photo.txt")
            print("renamed", staff:set_attachment_info("Photo", { PK_ID = 2 }, { FileName = "two.txt" }))
            local info = staff:attachment("Photo", 2):info()
            print("attachment", info.PK_ID, math.type(info.PK_ID), info.FileName, info.Size)
            print("attachment deleted", staff:delete_attachments("Photo", { PK_ID = 2 }), staff:attachment("Photo", 2):info(), writes() - w)
            """, flags: ["-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            file\tv4-up.txt\tv4-up.txt\t8\tv4-up.txt\t2
            file deleted\tfalse\t3
            webhook\tv4 hook\tstring\tDisabled\ttable.recordUpdate\tCustomers\tName\t4
            webhook deleted\t0\t6
            user\tv4user@example.com\tInactive\tstring
            users updated\t1
            user read\tFour\tActive
            users deleted\t1\t4
            task\tExport customers\ttrue\t1
            renamed\t1
            attachment\t2\tinteger\ttwo.txt\t6
            attachment deleted\t1\tnil\t3

            """, "\(result.stdout)")
        // Every request went to v4's operations.
        #expect(!result.stderr.contains("/integrations/rest/v3"))
        for operation in ["POST http://127.0.0.1:", "/integrations/rest/v4/fileAssets/files/bulk", "PATCH http://127.0.0.1:",
                          "/outgoingWebhooks/", "/users/bulk", "/activate", "/dataImportExportTasks/", "/records/2/attachments/Photo",
                          "/records/bulk/attachments/Photo/fileInfo"] {
            #expect(result.stderr.contains(operation), "\(operation)")
        }
    }

    /// Password fields and DataPages on v4: set and cleared by condition in one bulk call each,
    /// the fields listed from the schema; DataPages deployed one by one or all at once.
    @Test func passwordFieldsAndDataPagesOnV4() throws {
        let result = try runLuaInSandbox(luaExpectError + """
            local function calls(method) return caspio.stats().requests_by_method[method] or 0 end
            local staff = caspio.table("Staff")
            print("fields", table.concat(staff:password_fields(), ","))
            print("set", staff:set_password("Password", {PK_ID = 1}, "new-pass-Zq7"), calls("PATCH"))
            print("cleared", staff:clear_password("Password", {PK_ID = 2}), calls("DELETE"))
            expect_error(staff.clear_password, staff, "Password", "1=1")
            local app
            for a in caspio.apps.list() do app = a end
            local page
            for p in caspio.apps.datapages(app.ExternalKey) do page = page or p end
            print("app", app.AppName ~= nil, caspio.apps.get(app.ExternalKey).ExternalKey == app.ExternalKey, page.AppKey ~= nil)
            caspio.apps.deploy(app.ExternalKey, page.AppKey, true)
            print("deployed", caspio.apps.datapage(app.ExternalKey, page.AppKey).Deployed, caspio.apps.deployment(app.ExternalKey, page.AppKey).DeployCode ~= nil)
            caspio.apps.deploy_all(app.ExternalKey, false)
            print("undeployed", caspio.apps.datapage(app.ExternalKey, page.AppKey).Deployed, calls("PUT"))
            """, flags: ["-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("""
            fields\tPassword
            set\t1\t1
            cleared\t1\t1
            error\t
            """), "\(result.stdout)")
        #expect(result.stdout.hasSuffix("app\ttrue\ttrue\ttrue\ndeployed\ttrue\ttrue\nundeployed\tfalse\t2\n"), "\(result.stdout)")
        #expect(!result.stderr.contains("/integrations/rest/v3"))
        #expect(!result.stderr.contains("new-pass-Zq7"))
        for operation in ["/records/bulk/passwordFields/Password", "/dataPages/bulk/deployment", "/deployment -> 204"] {
            #expect(result.stderr.contains(operation), "\(operation)")
        }
    }

    /// A dry run on v4 sends none of these writes, reports each in v4's form (as on v3 in
    /// v3's), and changes nothing.
    @Test func aDryRunOnV4ReportsWritesOutsideRecords() throws {
        let result = try runLuaInSandbox("""
            local f = assert(io.open("up.txt", "wb")) f:write("hello") f:close()
            caspio.files.upload("up.txt", { name = "dry.txt" })
            local hook
            for h in caspio.webhooks.list() do hook = h end
            caspio.webhooks.delete(hook.Id)
            local directory = caspio.directory(caspio.directories()[1].Id)
            print("users", directory:update({ Status = "Active" }, { LastName = "X" }))
            local key
            for t in caspio.tasks.list() do if t.Name == "Export customers" then key = t.ExternalKey end end
            caspio.tasks.run(key)
            local staff = caspio.table("Staff")
            staff:attachment("Photo", 2):upload("up.txt")
            print("renamed", staff:set_attachment_info("Photo", { PK_ID = 1 }, { FileName = "x.txt" }))
            print("deleted", staff:delete_attachments("Photo", { PK_ID = 1 }))
            local n = 0
            for _ in caspio.webhooks.list() do n = n + 1 end
            print("left", n, (pcall(caspio.files.info, "/dry.txt")), staff:attachment("Photo", 1):info().FileName, staff:attachment("Photo", 2):info())
            """, flags: ["--dry-run"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "users\t0\nrenamed\t0\ndeleted\t0\nleft\t1\tfalse\tada.txt\tnil\n", "\(result.stdout)")
        for line in ["dry run: POST fileAssets/files/bulk (", "dry run: DELETE outgoingWebhooks/00000000-0000-4000-8000-000000000201\n",
                     #"dry run: PATCH directories/00000000-0000-4000-8000-000000000501/users/bulk {"recordValues":{"LastName":"X"},"where":"Status=N'Active'"}"#,
                     "dry run: POST dataImportExportTasks/00000000-0000-4000-8000-000000000301/run\n", "/records/2/attachments/Photo (",
                     #"/records/bulk/attachments/Photo/fileInfo {"fileName":"x.txt","where":"PK_ID=1"}"#,
                     #"/records/bulk/attachments/Photo {"where":"PK_ID=1"}"#, "dry run: 7 writes not sent ("] {
            #expect(result.stderr.contains(line), "\(line)\n\(result.stderr)")
        }
    }

    /// A dry run's stand-in for a bulk update counts the rows it matches: the dialect does not
    /// count them first as well (one read of the matching rows, not two).
    @Test func aDryRunUpdateOnV4CountsItsRowsOnce() throws {
        let result = try runLuaInSandbox("""
            local t = caspio.table("Customers")
            print(t:update({State = "CA"}, {State = "NV"}), t:delete({State = "NY"}))
            """, flags: ["--dry-run", "-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "50\t50\n")
        #expect(result.stderr.components(separatedBy: "where=State=N'CA'").count - 1 == 1, "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "where=State=N'NY'").count - 1 == 1, "\(result.stderr)")
        #expect(result.stderr.contains("dry run: 2 writes not sent"))
    }
}
