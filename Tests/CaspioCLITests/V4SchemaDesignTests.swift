import CaspioTestSupport
import Foundation
import Testing

/// On v4 every table's (and view's) design comes from one `GET schemas/tables` (and one
/// `GET schemas/views`) per run: `t:columns()`, `t:fields()` and `t:coerce` of every table
/// cost those and nothing more, and say what v3's field lists say.
@Suite struct V4SchemaDesignTests {
    static let script = """
        local c, o = caspio.table("Customers"), caspio.table("Orders")
        print(table.concat(c:columns(), ","))
        for _, f in ipairs(o:fields()) do io.write(f.Name, ":", f.Type, " ") end
        print()
        print(#o:fields(), #caspio.table("Products"):columns())
        print(table.concat(caspio.view("CaliforniaOrders"):columns(), ","))
        print(o:coerce({Quantity = "3", Shipped = "yes"}).Quantity)
        print(c:count() > 0)
        """

    @Test func designsComeFromOneSchemaListingPerRun() async throws {
        let v3 = try await runLuaInSandbox(Self.script, flags: ["-v"])
        let v4 = try await runLuaInSandbox(Self.script, flags: ["-v"], environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(v3.status == 0, "\(v3.stderr)")
        #expect(v4.status == 0, "\(v4.stderr)")
        #expect(v3.stdout.hasPrefix("PK_ID,Name,State,Email\n"), "\(v3.stdout)")
        // Field names and types as v3's field lists give them (v4's dataType values are v3's Type values).
        #expect(v3.stdout.split(separator: "\n").first == v4.stdout.split(separator: "\n").first)
        #expect(v3.stdout.split(separator: "\n").dropFirst(2) == v4.stdout.split(separator: "\n").dropFirst(2))
        let v4Requests = v4.stderr.split(separator: "\n").filter { $0.contains("/integrations/rest/v4/") }
        #expect(v4Requests.filter { $0.contains("/v4/schemas/tables?") }.count == 1, "\(v4Requests)")
        #expect(v4Requests.filter { $0.contains("/v4/schemas/views?") }.count == 1, "\(v4Requests)")
        #expect(!v4Requests.contains { $0.contains("/fields") }, "\(v4Requests)")
        // The schema listing maps names to ids too: no GET tables listing for the count.
        #expect(!v4Requests.contains { $0.contains("/v4/tables?") }, "\(v4Requests)")
        #expect(v4Requests.count == 3, "\(v4Requests)")
    }

    /// Record writes change no design: inserts between design reads of other tables and
    /// views cost no further schema listing.
    @Test func writesCostNoFurtherDesignReads() async throws {
        let result = try await runLuaInSandbox("""
            local rows = {
              Customers = {Name = "New", State = "CA", Email = "new@example.com"},
              Products = {Name = "Widget", Price = "2.50"},
              Orders = {Customer_ID = "1", Product_ID = "1", Quantity = "2", Shipped = "no"},
            }
            for _, name in ipairs({"Customers", "Products", "Orders", "Customers", "Products"}) do
              local t = caspio.table(name)
              t:insert(t:coerce(rows[name]))
            end
            print(#caspio.view("CaliforniaOrders"):columns(), #caspio.view("NewYorkCustomers"):columns())
            """, flags: ["-v"], environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "5\t3\n", "\(result.stdout)")
        let requests = result.stderr.split(separator: "\n").filter { $0.contains("/integrations/rest/v4/") }
        #expect(requests.filter { $0.contains("/v4/schemas/tables?") }.count == 1, "\(requests)")
        #expect(requests.filter { $0.contains("/v4/schemas/views?") }.count == 1, "\(requests)")
        #expect(!requests.contains { $0.contains("/fields") }, "\(requests)")
        #expect(requests.filter { $0.contains("/records/bulk") }.count == 5, "\(requests)")
    }

    @Test func anUnknownTableStillNamesTheNearest() async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            expect_error(function() return caspio.table("Custmers"):columns() end)
            """, environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "error\t404\tObjectNotFound\n", "\(result.stdout)")
    }
}
