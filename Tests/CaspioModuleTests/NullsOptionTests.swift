import CaspioTestSupport
import Foundation
import Testing

/// `nulls = "nil"` leaves NULL fields out of the rows read, for reports; the default keeps
/// caspio.json.null, which writes back as null.
@Suite struct NullsOptionTests {
    @Test func nullFieldsReadAsNilWhenAsked() async throws {
        let result = try await runLuaInSandbox("""
            local s = caspio.table("Staff")
            s:insert({Name = "No Date", Email = "nd@example.com"})
            local plain = s:first({where = {Email = "nd@example.com"}, nulls = "nil"})
            local kept = s:first({where = {Email = "nd@example.com"}})
            print(plain.Joined == nil, plain.Name, kept.Joined == caspio.json.null)
            local lines = {}
            for row in s:rows({nulls = "nil", orderBy = "PK_ID"}) do lines[#lines + 1] = row.Name .. ": " .. (row.Joined or "-") end
            print(table.concat(lines, "; "))
            local n = 0
            for row in caspio.records("Staff", {nulls = "nil"}) do if row.Joined == nil then n = n + 1 end end
            print(n, #s:all({nulls = "nil"}), #s:all({nulls = "json"}))
            print((select(2, pcall(s.all, s, {nulls = "none"})):gsub("^.*script.lua:", "")))
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            true\tNo Date\ttrue
            Ada Park: 2021-03-01T00:00:00; Ben Ortiz: 2022-07-15T09:30:00; Cy Tan: 2024-01-05T00:00:00; No Date: -
            1\t4\t4
            12: nulls must be "json" or "nil" (got the string "none")

            """)
    }
}
