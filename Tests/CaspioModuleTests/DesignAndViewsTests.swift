import CaspioTestSupport
import Foundation
import Testing

/// Design (tables, views, fields) and views read and written like tables, through the built
/// binary against the sandbox: the happy path, the guard, and the error Caspio gives.
@Suite struct DesignAndViewsTests {
    @Test func tablesAndTheirFields() throws {
        let result = try runLuaInSandbox(luaExpectError + """
            print(table.concat(caspio.tables(), ","))
            print(table.concat(caspio.views(), ","))
            local t = caspio.create_table{Name = "Notes", Fields = {{Name = "Title", Type = "STRING"}, {Name = "Code", Type = "GUID", Unique = true}}}
            print(tostring(t), t:design().Name)
            t:add_field{Name = "Body", Type = "TEXT"}
            t:update_field("Body", {Label = "Text"})
            print(t:field("Body").Label, #t:fields())
            t:delete_field("Body")
            expect_error(t.field, t, "Body")
            expect_error(t.add_field, t, {Name = "Id2", Type = "AUTONUMBER"})
            expect_error(caspio.create_table, {Name = "Empty"})
            expect_error(t.add_field, t, "Title")
            local v = caspio.view("CaliforniaOrders")
            print(v:design().Name, #v:fields(), v:field("Customers_Name").Name)
            expect_error(v.add_field, v, {Name = "X", Type = "STRING"})
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            Customers,Documents,Orders,Products,Staff
            CaliforniaOrders,NewYorkCustomers,StaffPhotos
            caspio.table("Notes")\tNotes
            Text\t4
            error\t404\tObjectNotFound
            error\t400\tIncorrectBodyParameter
            error\tcreate_table: Fields must be a list of field definitions, e.g. {{Name = "Title", Type = "STRING"}}
            error\tbad argument #1 to 'add_field' (a field definition {Name = …, Type = …} expected, got the string "Title")
            CaliforniaOrders\t5\tCustomers_Name
            error\tadd_field: a view's fields are its tables' fields; change the table (caspio.table(...):add_field) or the view in Caspio

            """)
    }

    @Test func viewsReadLikeTablesAndSendWrites() throws {
        let result = try runLuaInSandbox(luaExpectError + """
            local v = caspio.view("NewYorkCustomers")
            -- A view's PK_ID is a string, sorted by its numbers as a table's: "2" comes first.
            print(v:count(), v:first().Customers_Name, #v:all())
            local n = 0
            for row in v:rows({where = {Customers_Name = "Customer 002"}}) do n = n + 1 end
            print(n)
            print(v:update({Customers_Name = "Customer 002"}, {Customers_Email = "two@example.com"}))
            print(caspio.table("Customers"):first({where = {Name = "Customer 002"}}).Email)
            expect_error(v.delete, v, nil)
            local joined = caspio.view("CaliforniaOrders")
            print(joined:count())
            expect_error(joined.update, joined, {Customers_Name = "Customer 001"}, {Orders_Quantity = 1})
            expect_error(joined.insert, joined, {Orders_Quantity = 1})
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            50\tCustomer 002\t50
            1
            1
            two@example.com
            error\trefusing to delete every row of NewYorkCustomers: give a where clause, or nil and then {all = true}: t:delete(nil, {all = true})
            100
            error\t403\tUnsufficientPrivileges
            error\t403\tUnsufficientPrivileges

            """)
    }
}
