import CaspioTestSupport
import Foundation
import Testing

/// Messages that point at the right thing: a single insert is no "item 1", a key's case does
/// not matter, a view asked for as a table says so, a second AUTONUMBER names the fix.
@Suite struct PointedMessagesTests {
    @Test func messagesNameWhatWasMeant() async throws {
        let result = try await runLuaInSandbox("""
            local c = caspio.table("Customers")
            local ok, e = pcall(function()
              for i = 1, 6 do c:insert({Name = "n" .. i, Bogus = i == 6 and 1 or nil}) end
            end)
            print(e.status >= 400, e.index, tostring(e):find("item") == nil)
            local s = caspio.table("Staff")
            local r = s:upsert({{email = nil, Email = "ada@example.com", Name = "Ada Park"}}, {key = "email"})
            print(r.inserted, r.updated, r.unchanged)
            print((select(2, pcall(s.upsert, s, {{Email = "x"}}, {key = "emial"})):gsub("^.*script.lua:%d+: ", "")))
            local ok2, e2 = pcall(caspio.table("CaliforniaOrders").count, caspio.table("CaliforniaOrders"))
            print(e2.status, e2.message:match("%(CaliforniaOrders is a view.*$"))
            local ok3, e3 = pcall(caspio.view("Customers").count, caspio.view("Customers"))
            print(e3.status, e3.message:match("%(Customers is a table.*$"))
            print((select(2, pcall(caspio.create_table, {Name = "T2", Fields = {{Name = "Id", Type = "AUTONUMBER"}}})):gsub("^.*script.lua:%d+: ", "")))
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            true\tnil\ttrue
            0\t0\t1
            upsert: Staff has no field 'emial' to key on (did you mean 'Email'?)
            404\t(CaliforniaOrders is a view: read it with caspio.view("CaliforniaOrders"), or caspio export --view)
            404\t(Customers is a table: use caspio.table("Customers"))
            create_table: Caspio adds PK_ID (AUTONUMBER) to every table itself, and a table has one AUTONUMBER field: make Id an INTEGER, or use PK_ID

            """)
    }
}
