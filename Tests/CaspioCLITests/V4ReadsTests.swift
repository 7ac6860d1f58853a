import CaspioTestSupport
import Foundation
import Testing

/// Reads on REST API v4 (`caspio run --sandbox` with CASPIO_SANDBOX_API=4) through the same
/// pager as v3: the same script prints the same on both, under the sandbox's shuffled pages;
/// names map to ids from one listing; an unknown name names the nearest before any records
/// request; writes other than records' are refused before anything is sent.
@Suite struct V4ReadsTests {
    static let v4 = ["CASPIO_SANDBOX_API": "4"]

    /// Every read way, each row once, on tables and a view: output that must not depend on the version.
    static let reads = """
        local function once(label, rows)
          local seen, n = {}, 0
          for _, row in ipairs(rows) do
            assert(row.PK_ID ~= nil, label .. ": a row without PK_ID")
            assert(not seen[row.PK_ID], label .. ": PK_ID " .. tostring(row.PK_ID) .. " twice")
            seen[row.PK_ID], n = true, n + 1
          end
          print(label, n)
        end
        local function collect(iterator)
          local out = {}
          for row in iterator do out[#out + 1] = row end
          return out
        end
        print("tables", table.concat(caspio.tables(), ","))
        print("views", table.concat(caspio.views(), ","))
        for _, name in ipairs({"Customers", "Orders"}) do
          local t = caspio.table(name)
          once(name .. " records", collect(caspio.records(name, {pageSize = 7})))
          once(name .. " rows", collect(t:rows({pageSize = 5, prefetch = 3})))
          once(name .. " all", t:all({pageSize = 9, concurrency = 4}))
          print(name .. " count", t:count())
          print(name .. " columns", table.concat(t:columns(), ","))
          print(name .. " first", t:first({orderBy = "PK_ID DESC"}).PK_ID == t:all({pageSize = 50})[t:count()].PK_ID)
        end
        local c = caspio.table("Customers")
        print("where", c:count({State = "CA"}), #c:all({where = {State = "CA"}, pageSize = 5}))
        print("quote", c:count({Name = "O'Brien"}), #c:all({where = {Name = {like = "%'%"}}}))
        print("limit", #collect(c:rows({limit = 12, pageSize = 5})))
        once("view rows", collect(caspio.view("CaliforniaOrders"):rows({pageSize = 5})))
        print("view count", caspio.view("CaliforniaOrders"):count())
        print("view columns", table.concat(caspio.view("CaliforniaOrders"):columns(), ","))
        """

    @Test func theSameReadScriptPrintsTheSameOnV3AndV4() throws {
        let v3 = try runLuaInSandbox(Self.reads, flags: ["-v"])
        let v4 = try runLuaInSandbox(Self.reads, flags: ["-v"], environment: Self.v4)
        #expect(v3.status == 0, "\(v3.stderr)")
        #expect(v4.status == 0, "\(v4.stderr)")
        #expect(v3.stdout.contains("Customers records\t250"))
        #expect(v3.stdout == v4.stdout)
        // v4 spoken, not v3 under another URL: ids in paths, no q.* parameter.
        #expect(v4.stderr.contains("/integrations/rest/v4/tables/"))
        #expect(!v4.stderr.contains("/integrations/rest/v3/"))
        #expect(!v4.stderr.contains("q."))
        #expect(!v4.stderr.contains("/tables/Customers/"))
    }

    @Test func namesMapToIdsFromOneListing() throws {
        let result = try runLuaInSandbox("""
            local t = caspio.table("customers")
            print("id", #t.id, t.id:match("^[a-z0-9]+$") ~= nil)
            print("same", caspio.table(t.id):count() == caspio.table("CUSTOMERS"):count())
            print("by id", caspio.table(t.id).id == t.id, caspio.table("Orders").id ~= t.id)
            print("view id", caspio.view("californiaorders").id ~= nil)
            """, flags: ["-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "id\t6\ttrue\nsame\ttrue\nby id\ttrue\ttrue\nview id\ttrue\n")
        // One listing of tables (and one of views) for the run.
        #expect(result.stderr.components(separatedBy: "/integrations/rest/v4/tables?").count - 1 == 1)
        #expect(result.stderr.components(separatedBy: "/integrations/rest/v4/views?").count - 1 == 1)
    }

    @Test func tasksThatAskAtOnceCostOneListing() throws {
        let result = try runLuaInSandbox("""
            local counts = caspio.map({"Customers", "Orders", "Products", "customers"}, function(name)
              return caspio.table(name):count() + #caspio.table(name):columns()
            end, {concurrency = 4})
            print(table.concat(counts, ","))
            """, flags: ["-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "254,505,11,254\n", "\(result.stdout)")
        #expect(result.stderr.components(separatedBy: "/integrations/rest/v4/tables?").count - 1 == 1, "\(result.stderr)")
        #expect(result.stderr.components(separatedBy: "/integrations/rest/v4/schemas/tables?").count - 1 == 1, "\(result.stderr)")
    }

    @Test func theIdIsNilOnV3() throws {
        let result = try runLuaInSandbox(#"print(caspio.table("Customers").id)"#)
        #expect(result.stdout == "nil\n")
    }

    @Test func anUnknownNameNamesTheNearestBeforeAnyRecordsRequest() throws {
        let result = try runLuaInSandbox(luaExpectError + """
            caspio.table("Customers"):count()
            expect_error(function() return caspio.table("Custmers"):count() end)
            local ok, e = pcall(function() for _ in caspio.records("Custmers") do end end)
            print(e.message)
            """, flags: ["-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "error\t404\tObjectNotFound\nno table 'Custmers' on this account (did you mean 'Customers'?)\n")
        #expect(!result.stderr.contains("Custmers/records?"))
        // The first miss refreshes the listing once; the second refreshes it again, once.
        #expect(result.stderr.components(separatedBy: "/integrations/rest/v4/tables?").count - 1 == 3)
    }

    @Test func writesTheModuleDoesNotSendToV4AreRefusedBeforeAnyRequest() throws {
        let result = try runLuaInSandbox(luaExpectError + """
            expect_error(caspio.create_table, {Name = "New", Fields = {{Name = "A", Type = "STRING"}}})
            expect_error(caspio.put, "tables/Customers/fields/Name", {Label = "Name"})
            expect_error(caspio.table("Customers").add_field, caspio.table("Customers"), {Name = "Extra", Type = "STRING"})
            """, flags: ["-v"], environment: Self.v4)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            #expect(line.contains("this write is not supported on REST API v4 yet (v4 takes: records, attachments, password fields, files, webhooks, directory users, task runs, DataPage deployments); use the v3 base URL (…/integrations/rest/v3) for it"), "\(line)")
        }
        #expect(!result.stderr.contains("/integrations/rest/v4"))
    }

    @Test func aSandboxAPIOtherThan3Or4IsAnError() throws {
        let result = try runLuaInSandbox("print(1)", environment: ["CASPIO_SANDBOX_API": "5"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("CASPIO_SANDBOX_API=5: give 3 or 4"))
    }
}
