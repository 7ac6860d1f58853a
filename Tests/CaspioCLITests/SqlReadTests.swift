import CaspioTestSupport
import Foundation
import Testing

/// caspio.sql: a T-SQL SELECT cut into the clause parameters of one table's (or view's)
/// records read, paged as caspio.records pages, on v3 and v4 alike; HAVING as the `having`
/// function, since neither version takes it; what a request cannot carry is a usage error
/// raised before anything is sent.
@Suite struct SqlReadTests {
    static let script = """
        local function show(_, statement, opts)
          local out = {}
          for row in caspio.sql(statement, opts) do out[#out + 1] = row end
          return out
        end
        local function line(label, rows, names)
          local parts = {}
          for i, row in ipairs(rows) do
            local cells = {}
            for j, name in ipairs(names) do cells[j] = tostring(row[name]) end
            parts[i] = table.concat(cells, ":")
          end
          print(label, #rows, table.concat(parts, " "))
        end
        local grouped = "SELECT Product_ID, COUNT(PK_ID) AS N, SUM(Quantity) AS Q FROM Orders WHERE Shipped = 1 GROUP BY Product_ID ORDER BY Product_ID"
        line("grouped", show("grouped", grouped, {pageSize = 5}), {"Product_ID", "N", "Q"})
        line("having", show("having", grouped, {pageSize = 5, having = function(row) return row.Q > 165 end}), {"Product_ID", "Q"})
        line("having limit", show("", grouped, {pageSize = 5, limit = 2, having = function(row) return row.Q > 165 end}), {"Product_ID"})
        line("top", show("", "select top 3 Product_ID, COUNT(PK_ID) AS N from Orders group by Product_ID order by Product_ID desc"), {"Product_ID", "N"})
        line("distinct", show("", "SELECT DISTINCT State FROM Customers", {pageSize = 5}), {"State"})
        line("count", show("", "SELECT COUNT(PK_ID) AS N, MAX(Quantity) AS M FROM Orders"), {"N", "M"})
        local name = "Customer 007"
        line("quoted", show("", "SELECT Name, State FROM [Customers] WHERE Name = " .. caspio.sql.quote(name) .. " OR Name = 'x FROM y ORDER BY z'"), {"Name", "State"})
        local all = show("", "SELECT * FROM Customers WHERE State = 'CA'", {pageSize = 7})
        local seen = {}
        for _, row in ipairs(all) do assert(not seen[row.PK_ID], "twice") seen[row.PK_ID] = true end
        print("star", #all, caspio.table("Customers"):count({State = "CA"}))
        line("view", show("", "SELECT Customers_Name, COUNT(Orders_Quantity) AS N FROM CaliforniaOrders GROUP BY Customers_Name ORDER BY Customers_Name", {view = true, limit = 2}), {"Customers_Name", "N"})
        print("quote", caspio.sql.quote("O'Brien") == "'O''Brien'" or caspio.sql.quote("O'Brien") == "N'O''Brien'")
        """

    @Test func aSelectStatementReadsTheSameOnV3AndV4() async throws {
        let v3 = try await runLuaInSandbox(Self.script, flags: ["-v"])
        let v4 = try await runLuaInSandbox(Self.script, flags: ["-v"], environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(v3.status == 0, "\(v3.stderr)")
        #expect(v4.status == 0, "\(v4.stderr)")
        #expect(v3.stdout == v4.stdout)
        let lines = v3.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("grouped\t8\t1:") == true, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("top\t3\t8:") })
        #expect(lines.contains("distinct\t5\tCA NY OR TX WA"))
        #expect(lines.contains("count\t1\t500:7"))
        #expect(lines.contains("quoted\t1\tCustomer 007:NY"))
        #expect(lines.contains { $0.hasPrefix("star\t") && $0.split(separator: "\t")[1] == $0.split(separator: "\t")[2] })
        #expect(lines.contains { $0.hasPrefix("view\t2\t") })
        #expect(lines.last == "quote\ttrue")
        // Clauses as v4's parameters on v4, as q.* on v3; groups paged (8 groups, 5 a page: 2 requests).
        #expect(v4.stderr.contains("groupBy=") && !v4.stderr.contains("q."))
        #expect(v3.stderr.contains("q.groupBy="))
    }

    @Test func havingKeepsTheGroupsItAcceptsAndStopsAtTheLimit() async throws {
        let result = try await runLuaInSandbox(Self.script, environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        guard let grouped = lines.first(where: { $0.hasPrefix("grouped\t") }),
              let having = lines.first(where: { $0.hasPrefix("having\t") }),
              let limited = lines.first(where: { $0.hasPrefix("having limit\t") }) else {
            Issue.record("\(lines)")
            return
        }
        // The groups whose Q > 165, computed from the grouped read itself.
        let kept = grouped.split(separator: "\t")[2].split(separator: " ").compactMap { cell -> String? in
            let parts = cell.split(separator: ":")
            return Int(parts[2])! > 165 ? "\(parts[0]):\(parts[2])" : nil
        }
        #expect(!kept.isEmpty && kept.count < 8)
        #expect(having == "having\t\(kept.count)\t\(kept.joined(separator: " "))")
        #expect(limited == "having limit\t2\t\(kept.prefix(2).map { $0.split(separator: ":")[0] }.joined(separator: " "))")
    }

    @Test func whatARequestCannotCarryIsAUsageErrorBeforeAnyRequest() async throws {
        let result = try await runLuaInSandbox(luaExpectError + """
            local function try(statement, opts) expect_error(function() for _ in caspio.sql(statement, opts) do end end) end
            try("SELECT State, COUNT(PK_ID) AS N FROM Customers GROUP BY State HAVING COUNT(PK_ID) > 5")
            try("SELECT Name FROM Customers c JOIN Orders o ON o.Customer_ID = c.PK_ID")
            try("SELECT Name FROM Customers; DELETE FROM Customers")
            try("SELECT Name")
            try("UPDATE Customers SET Name = 'x'")
            try("SELECT Name FROM Customers WHERE Name = 'open")
            try("SELECT Name FROM Customers ORDER BY Name WHERE State = 'CA'")
            try("SELECT Name FROM Customers", {having = "N > 5"})
            try("SELECT Name FROM Customers", {limt = 5})
            """, flags: ["-v"], environment: ["CASPIO_SANDBOX_API": "4"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 9, "\(lines)")
        #expect(lines[0].contains("takes no HAVING clause") && lines[0].contains("having = function(row)"))
        #expect(lines[1].contains("FROM names the one table or view") || lines[1].contains("JOIN is not possible"))
        #expect(lines[2].contains("one statement only"))
        #expect(lines[3].contains("needs FROM"))
        #expect(lines[4].contains("must start with SELECT"))
        #expect(lines[5].contains("unterminated"))
        #expect(lines[6].contains("WHERE comes before ORDER BY"))
        #expect(lines[7].contains("having must be a function"))
        #expect(lines[8].contains("unknown option 'limt' to 'sql'"))
        #expect(!result.stderr.contains("/records"))
    }
}
