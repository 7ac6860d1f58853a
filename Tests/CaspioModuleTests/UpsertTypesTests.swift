import CaspioTestSupport
import Foundation
import Testing

/// t:upsert compares by the field's type, so that a rerun of the same data writes nothing:
/// "2" is INTEGER 2, 1 is YES/NO true, a date's text forms and tables are one date.
@Suite struct UpsertTypesTests {
    @Test func valuesOfTheSameTypedValueAreUnchanged() async throws {
        let result = try await runLuaInSandbox("""
            local function counts(r) return string.format("%d %d %d", r.inserted, r.updated, r.unchanged) end
            local o = caspio.table("Orders")
            local first = o:first({where = {PK_ID = 1}})
            print(first.Quantity, first.Shipped)
            print(counts(o:upsert({{PK_ID = 1, Quantity = "2", Shipped = 1}, {PK_ID = 2, Quantity = 3.0, Shipped = "yes"}}, {key = "PK_ID"})))
            local s = caspio.table("Staff")
            print(counts(s:upsert({
              {Email = "ada@example.com", Joined = "2021-03-01"},
              {Email = "ben@example.com", Joined = "2022-07-15 09:30:00.000"},
              {Email = "cy@example.com", Joined = caspio.date.parse("2024-01-05T00:00")},
            }, {key = "Email"})))
            -- A real change is written as the field stores it: "5" goes as the number 5.
            print(counts(o:upsert({{PK_ID = 1, Quantity = "5", Shipped = 0}}, {key = "PK_ID"})))
            local again = o:first({where = {PK_ID = 1}})
            print(math.type(again.Quantity), again.Quantity, again.Shipped)
            print(counts(s:upsert({{Email = "ben@example.com", Joined = "2022-07-15T09:30:01"}}, {key = "Email"})))
            print(s:first({where = {Email = "ben@example.com"}}).Joined)
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            2\ttrue
            0 0 2
            0 0 3
            0 1 0
            integer\t5\tfalse
            0 1 0
            2022-07-15T09:30:01

            """)
    }
}
