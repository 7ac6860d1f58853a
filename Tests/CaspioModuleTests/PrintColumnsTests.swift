import CaspioTestSupport
import Foundation
import Testing

/// print_table shows every column the rows hold: the table's fields in its order, then
/// computed columns in the select's order, then keys the script added; export takes aliases.
@Suite struct PrintColumnsTests {
    @Test func computedAndAddedColumnsAreShown() async throws {
        let result = try await runLuaInSandbox("""
            local c = caspio.table("Customers")
            local groups = c:all({select = "State, COUNT(PK_ID) AS N", groupBy = "State"})
            caspio.print_table(groups)
            local rows = c:all({select = "Name AS Who, PK_ID, State", where = {PK_ID = {lte = 2}}})
            rows[1].Note = "first"
            caspio.print_table(rows)
            print(c:export(io.stdout, {select = "Name AS Who, State", where = {PK_ID = {lte = 2}}}))
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            State  N
            -----  --
            CA     50
            NY     50
            OR     50
            TX     50
            WA     50
            (5 rows)
            PK_ID  State  Who           Note
            -----  -----  ------------  -----
            1      CA     Customer 001  first
            2      NY     Customer 002
            (2 rows)
            Who,State
            Customer 001,CA
            Customer 002,NY
            2

            """)
    }
}
