import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// caspio.csv in the test process: hostile input read row by row with its line numbers,
/// malformed lines named, and the writer's cells and field order.
@Suite struct CSVTests {
    /// Reads CSV text (Lua-escaped) and prints each row as `line: a|b|c` (header = false),
    /// or the error.
    static func read(_ text: String, _ opts: String = "{header = false}") -> String {
        """
        local out = {}
        local ok, e = pcall(function()
          for row, line in caspio.csv.rows("\(text)", \(opts)) do
            local cells = {}
            for i, v in ipairs(row) do cells[i] = v end
            out[#out + 1] = line .. ": " .. table.concat(cells, "|")
          end
        end)
        if not ok then out[#out + 1] = "error " .. tostring(e) end
        return table.concat(out, "\\n")
        """
    }

    static let hostile: [(name: String, text: String, rows: String)] = [
        ("quotes and doubled quotes", #"a,\"b \"\"q\"\"\",c\n"#, #"1: a|b "q"|c"#),
        ("CRLF line ends", #"a,b\r\nc,d\r\n"#, "1: a|b\n2: c|d"),
        ("CR and LF inside a field", #"\"x\r\ny\",z\nnext,1\n"#, "1: x\r\ny|z\n3: next|1"),
        ("a BOM before a quoted field", #"\239\187\191\"a\",b\n"#, "1: a|b"),
        ("emoji and other UTF-8", #"😀,naïve\n\"🎉,🎉\",x\n"#, "1: 😀|naïve\n2: 🎉,🎉|x"),
        ("bytes that are not UTF-8", #"ok\n\255\254\n"#, "1: ok\nerror input error: the CSV text:2: not UTF-8 text"),
        ("empty cells", #",,\n\"\",x,\n"#, "1: ||\n2: |x|"),
        ("blank lines skipped, no final newline", #"a\n\n\nb"#, "1: a\n4: b"),
        ("a quote inside an unquoted field", #"ok,1\nba\"d,2\n"#, "1: ok|1\nerror input error: the CSV text:2: a quote inside an unquoted field"),
        ("text after a closing quote", #"ok\n\"a\"b,2\n"#, "1: ok\nerror input error: the CSV text:2: text after a closing quote"),
        ("a quote never closed", #"ok\n\n\"open,\nmore\n"#, "1: ok\nerror input error: the CSV text:3: a quoted field opens on line 3 and is never closed"),
    ]

    @Test(arguments: hostile)
    func readsHostileCSV(_ c: (name: String, text: String, rows: String)) async throws {
        let lua = try InProcessLua()
        let values = await lua.values(Self.read(c.text))
        let text = values.first?.stringValue ?? ""
        #expect(text.hasPrefix(c.rows) && !text.dropFirst(c.rows.count).contains("\n"), "\(c.name): \(text.debugDescription)")
    }

    @Test func headerRowsAreKeyedAndCheckedForWidth() async throws {
        let lua = try InProcessLua()
        let values = await lua.values("""
            local rows = {}
            for row, line in caspio.csv.rows("Email;Name\\r\\na@x;\\"Ada; L\\"\\r\\n", {delimiter = ";"}) do rows[#rows + 1] = row.Name .. "@" .. line end
            local ok, e = pcall(function() for _ in caspio.csv.rows("A,B\\n1,2\\n3\\n") do end end)
            local ok2, e2 = pcall(function() for _ in caspio.csv.rows("A,A\\n1,2\\n") do end end)
            return rows[1], tostring(e), e.line, tostring(e2)
            """)
        #expect(values.map { $0.stringValue ?? "\($0)" } == [
            "Ada; L@2", "input error: the CSV text:3: 1 field where the header has 2", "integer(3)",
            "input error: the CSV text:1: the header names 'A' twice",
        ])
    }

    @Test func readsFilesAndOpenFilesAndReportsMissingOnes() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("in.csv").path
        try "N\n1\n2\n".write(toFile: path, atomically: true, encoding: .utf8)
        let lua = try InProcessLua()
        let values = await lua.values("""
            local n = 0
            for row in caspio.csv.rows("\(path)") do n = n + tonumber(row.N) end
            local f = io.open("\(path)")
            for row in caspio.csv.rows(f) do n = n + 10 * tonumber(row.N) end
            f:close()
            local ok, e = pcall(caspio.csv.rows, "\(path).missing")
            return n, e.kind, e.message:match("cannot read") ~= nil
            """)
        #expect(values == [.integer(33), .string("config"), .boolean(true)])
    }

    @Test func writesCellsExactlyInFieldOrderAndPutsTheFileInPlaceOnClose() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.csv").path
        let lua = try InProcessLua()
        let values = await lua.values("""
            local w = caspio.csv.writer("\(path)", {"Z", "A", "M"})
            w:write({A = 9007199254740993, Z = "a,\\"b\\"\\nc", M = caspio.json.null})
            w:write({Z = true, A = 0.1, M = false})
            w:write({"x", nil, 1.5})
            local before = io.open("\(path)") ~= nil
            local n = w:close()
            local f = io.open("\(path)", "rb")
            local text = f:read("a")
            f:close()
            local ok, e = pcall(function() caspio.csv.writer("\(path)", {"A"}):write({B = 1}) end)
            return n, before, text, tostring(e):match("'B' that is not among") ~= nil
            """)
        #expect(values == [.integer(3), .boolean(false), .string("Z,A,M\n\"a,\"\"b\"\"\nc\",9007199254740993,\ntrue,0.1,false\nx,,1.5\n"), .boolean(true)])
    }

    @Test func writeRoundTripsThroughRows() async throws {
        let lua = try InProcessLua()
        let values = await lua.values("""
            local path = os.tmpname()
            caspio.csv.write(path, {{B = "2", A = "x\\r\\ny"}, {A = "😀", B = ""}}, {crlf = true})
            local out = {}
            for row, line in caspio.csv.rows(path) do out[#out + 1] = line .. "=" .. row.A .. "/" .. row.B end
            os.remove(path)
            return table.concat(out, ";")
            """)
        #expect(values == [.string("2=x\r\ny/2;4=😀/")])
    }
}
