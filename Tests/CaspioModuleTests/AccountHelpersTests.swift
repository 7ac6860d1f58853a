import CaspioTestSupport
import Foundation
import Testing

/// Folders, webhooks, tasks, applications and directories through the built binary against
/// the sandbox's demo objects (docs/sandbox.md, "The demo seed").
@Suite struct AccountHelpersTests {
    static func id(_ n: Int) -> String { String(format: "00000000-0000-4000-8000-%012d", n) }

    @Test func foldersByKeyOrPath() async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            for folder in caspio.files.folders() do print(folder.Path, folder.ExternalKey:sub(-3)) end
            for folder in caspio.files.folders({folder = "/Reports"}) do print(folder.Name, folder.Path) end
            print(caspio.files.folder("/Reports/2024").Name, caspio.files.folder("\(Self.id(103))").Name)
            for file in caspio.files.list({folder = "/reports/2024"}) do print(file.Name) end
            local f = assert(io.open("a.txt", "wb")); f:write("hello"); f:close()
            print(caspio.files.upload("a.txt", {folder = "/Imports"}).Name)
            for file in caspio.files.list({folder = "\(Self.id(103))"}) do print(file.Name) end
            expect_error(caspio.files.folder, "/Reports/2025")
            expect_error(caspio.files.folder, "\(Self.id(999))")
            expect_error(caspio.files.folders, {folder = 7})
            for folder in caspio.files.folders() do break end
            print("a loop that breaks closes the walk")
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            /Imports\t103
            /Reports\t101
            /Reports/2024\t102
            2024\t/Reports/2024
            2024\tImports
            q1.csv
            a.txt
            a.txt
            new-products.csv
            error\t404\tObjectNotFound
            error\t404\tObjectNotFound
            error\tfolder must be a string (got the number 7)
            a loop that breaks closes the walk

            """)
    }

    /// A webhook's secret is never shown in logs or error messages.
    @Test func webhooksAndTheirEvents() async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            for hook in caspio.webhooks.list() do print(hook.Name, hook.Status) end
            local hook = caspio.webhooks.create{Name = "Staff changes", OutgoingUrls = {"http://127.0.0.1:9/hook"}, CallThrottling = 2}
            print(#hook.Secret > 0, caspio.webhooks.get(hook.Id).Name)
            local event = caspio.webhooks.add_event(hook.Id, {EventType = "table.recordInsert", ObjectName = "Staff"})
            print(event.Type, event.ObjectName)
            print(caspio.webhooks.update_event(hook.Id, event.Id, {EventType = "table.recordInsert", ObjectName = "Orders"}).ObjectName)
            print(caspio.webhooks.event(hook.Id, event.Id).ObjectName)
            local n = 0
            for e in caspio.webhooks.events(hook.Id) do n = n + 1 end
            print(n)
            print(caspio.webhooks.update(hook.Id, {Name = "Order changes 2"}).Name)
            print(caspio.webhooks.delete_event(hook.Id, event.Id), caspio.webhooks.delete(hook.Id))
            expect_error(caspio.webhooks.get, hook.Id)
            expect_error(caspio.webhooks.add_event, "\(Self.id(201))", {EventType = "table.recordExplode", ObjectName = "Orders"})
            expect_error(caspio.webhooks.get)
            error("failing with " .. hook.Secret)
            """, flags: ["-v"])
        #expect(result.stdout == """
            Order changes\tDisabled
            true\tStaff changes
            table.recordInsert\tStaff
            Orders
            Orders
            1
            Order changes 2
            true\ttrue
            error\t404\tObjectNotFound
            error\t400\tIncorrectBodyParameter
            error\tbad argument #1 to 'get' (webhook id expected, got nil)

            """)
        #expect(result.stderr.contains("failing with <redacted>"), "\(result.stderr)")
    }

    @Test func tasksAndApplications() async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            for task in caspio.tasks.list() do print(task.Name) end
            print(caspio.tasks.get("\(Self.id(302))").Name, caspio.tasks.run("\(Self.id(302))"))
            print(caspio.table("Products"):count())
            expect_error(caspio.tasks.run, "\(Self.id(399))")
            for app in caspio.apps.list() do print(app.AppName, app.DataPagesCount) end
            print(caspio.apps.get("\(Self.id(401))").AppName)
            for page in caspio.apps.datapages("\(Self.id(401))") do print(page.Name, page.Type) end
            print(caspio.apps.datapage("\(Self.id(401))", "\(Self.id(403))").Name)
            print(caspio.apps.deployment("\(Self.id(401))", "\(Self.id(402))"))
            print(caspio.apps.deployment("\(Self.id(401))", "\(Self.id(402))", "iframe"):sub(1, 7))
            expect_error(caspio.apps.deployment, "\(Self.id(401))", "\(Self.id(403))")
            -- Whether a DataPage is deployed shows in its deployment: HTTP 400 while it is not.
            print(caspio.apps.deploy("\(Self.id(401))", "\(Self.id(403))", true), caspio.apps.deployment("\(Self.id(401))", "\(Self.id(403))", "URL"))
            print(caspio.apps.deploy_all("\(Self.id(401))", false))
            expect_error(caspio.apps.deployment, "\(Self.id(401))", "\(Self.id(402))")
            expect_error(caspio.apps.deploy, "\(Self.id(401))", "\(Self.id(403))", "yes")
            expect_error(caspio.apps.deployment, "\(Self.id(401))", "\(Self.id(402))", "pdf")
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            Export customers
            Import new products
            Import new products\ttrue
            10
            error\t404\tObjectNotFound
            Order Desk\t2
            Order Desk
            Customer search\tSearch and Report
            Order form\tSubmission Form
            Order form
            https://ACCOUNT.caspio.com/dp/\(Self.id(402))
            <iframe
            error\t400\tIncorrectQueryParameter
            true\thttps://ACCOUNT.caspio.com/dp/\(Self.id(403))
            true
            error\t400\tIncorrectQueryParameter
            error\tbad argument #3 to 'deploy' (true to deploy, false to undeploy; got the string "yes")
            error\tbad argument #3 to 'deployment' ("URL", "iFrame", "Embedded" or "Net" expected, got the string "pdf")

            """)
    }

    @Test func directoryUsers() async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            local dirs = caspio.directories()
            print(#dirs, dirs[1].Name, dirs[1].NumberOfUsers)
            local portal = caspio.directory(dirs[1].Id)
            for user in portal:users({where = {Status = "Inactive"}}) do print(user.Email) end
            local added = portal:add{Email = "dee@example.com", FirstName = "Dee"}
            print(added.Email, added.Status, #added.UserGUID)
            print(portal:update({Email = "dee@example.com"}, {LastName = "Ng"}))
            print(portal:activate(added.UserGUID) == "https://ACCOUNT.caspio.com/activate?user=" .. added.UserGUID)
            expect_error(portal.activate, portal, added.UserGUID)
            print(#portal:activate({"\(Self.id(512))", "\(Self.id(513))"}, {send_email = false}))
            expect_error(portal.activate, portal, "\(Self.id(511))", {sendEmail = true})
            expect_error(portal.delete, portal, nil)
            expect_error(portal.update, portal, {}, {Status = "Active"})
            print(portal:delete({Email = "dee@example.com"}))
            local n = 0
            for user in portal:users({limit = 2}) do n = n + 1 end
            print(n)
            expect_error(function() for _ in caspio.directory("\(Self.id(599))"):users() do end end)
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            1\tCustomer portal\t3
            bo@example.com
            cal@example.com
            dee@example.com\tInactive\t36
            1
            true
            error\t409\tConflict
            2
            error\tunknown option 'sendEmail' to 'activate' (did you mean 'send_email'?)
            error\trefusing to delete every user of caspio.directory("\(Self.id(501))"): give a where clause, or nil and then {all = true}: d:delete(nil, {all = true})
            error\trefusing to update every user of caspio.directory("\(Self.id(501))"): give a where clause, or nil and then {all = true}: d:update(nil, fields, {all = true})
            1
            2
            error\t404\tObjectNotFound

            """)
    }
}
