import CaspioTestSupport
import Foundation
import Testing

/// caspio.where: quoting, literals, lists, NULL, raw SQL; hostile strings reach the server
/// intact and match exactly the row that holds them.
@Suite struct WhereTests {
    @Test func buildsClausesWithSortedFieldsAndQuotedStrings() throws {
        let fake = try FakeCaspio()
        let result = try runLua(#"""
            local where, null, raw = caspio.where, caspio.json.null, caspio.where.raw
            print(where({State = "CA", Name = "O'Brien"}))
            print(where({N = 5, Neg = -3, Big = math.maxinteger, F = 1.5}))
            print(where({P = 0.1, Third = 1 / 3, Huge = 1e300, Whole = 3.0}))
            print(where({A = true, B = false}))
            print(where({Gone = null, Here = "x"}))
            print(where({S = {"a", "b'c"}, N = {1, 2.5, true}}))
            print(where({Quotes = "''", Empty = ""}))
            print(where(raw("N > 5 OR Name LIKE 'A%'")), tostring(raw("1=1")))
            print(where({Stamp = raw("GETDATE()"), Ids = {raw("1"), 2}}))
            print(where("N=1 AND X='y'"), where(nil) == "", where({}) == "")
            print(where({_under_score1 = 1}))
            """#, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == #"""
            Name='O''Brien' AND State='CA'
            Big=9223372036854775807 AND F=1.5 AND N=5 AND Neg=-3
            Huge=1e+300 AND P=0.1 AND Third=0.3333333333333333 AND Whole=3
            A=1 AND B=0
            Gone IS NULL AND Here='x'
            N IN (1, 2.5, 1) AND S IN ('a', 'b''c')
            Empty='' AND Quotes=''''''
            N > 5 OR Name LIKE 'A%'	1=1
            Ids IN (1, 2) AND Stamp=GETDATE()
            N=1 AND X='y'	true	true
            _under_score1=1

            """#)
        #expect(fake.server.requests.isEmpty)
    }

    @Test func rejectsWhatIsNotAFieldOrAValue() throws {
        let fake = try FakeCaspio()
        let result = try runLua(#"""
            local where = caspio.where
            local cases = {
              function() return where({["Name; DROP TABLE x"] = 1}) end,
              function() return where({["1abc"] = 1}) end,
              function() return where({[""] = 1}) end,
              function() return where({["Name'"] = 1}) end,
              function() return where({"positional"}) end,
              function() return where({N = {}}) end,
              function() return where({N = 0/0}) end,
              function() return where({N = math.huge}) end,
              function() return where({N = print}) end,
              function() return where({N = {{1}}}) end,
              function() return where(42) end,
              function() return where.raw(42) end,
              function() return caspio.records("T", {where = {["x y"] = 1}}) end,
              function() return caspio.table("T"):count({N = -math.huge}) end,
              function() return caspio.table("T"):delete({N = print}) end,
            }
            for i, case in ipairs(cases) do
              local ok, err = pcall(case)
              print(i, ok, err)
            end
            """#, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 15)
        let expected = [
            "caspio.where: Name; DROP TABLE x is not a field name",
            "caspio.where: 1abc is not a field name",
            "caspio.where:  is not a field name",
            "caspio.where: Name' is not a field name",
            "caspio.where: 1 is not a field name",
            "caspio.where: the list for N is empty",
            "which SQL cannot compare",
            "caspio.where: N is inf, which SQL cannot compare",
            "caspio.where: N has a function value",
            "caspio.where: N has a table value",
            "a where clause must be a string or a table (got number)",
            "bad argument #1 to 'raw' (string expected)",
            "caspio.where: x y is not a field name",
            "caspio.where: N is -inf, which SQL cannot compare",
            "caspio.where: N has a function value",
        ]
        for (i, (line, text)) in zip(lines, expected).enumerated() {
            #expect(line.hasPrefix("\(i + 1)\tfalse\t"), "\(line)")
            #expect(line.contains(text), "\(line)")
            // Every one points at the script's line, whichever path reached the check.
            #expect(line.contains("script.lua:"), "\(line)")
        }
        #expect(fake.server.requests.isEmpty)
    }

    /// Strings that break naive quoting or URL building.
    static let hostile: [String] = [
        "O'Brien", "'; DROP TABLE x; --", "a' OR '1'='1", "x' AND N=1 AND 'y'='y", "100% & more + less #hash ?q=1=2",
        "Zoë 🚀 日本語", "''", #"back\slash "dq""#, "tab\tnew\nline", " padded ", "a IN (b)", "x IS NULL", "",
        "%27%20", "a,b", "😀'😀",
    ]

    @Test func hostileStringsMatchExactlyTheirRow() throws {
        let fake = try FakeCaspio()
        fake.seed("H", count: 0)
        let list = Self.hostile.map { luaString($0) }.joined(separator: ",\n  ")
        let result = try runLua("""
            local hostile = {
              \(list)
            }
            local t = caspio.table("H")
            for i, s in ipairs(hostile) do t:insert({Name = s, I = i}) end
            t:insert({Name = "decoy", I = 0})
            for i, s in ipairs(hostile) do
              local rows = t:all({where = {Name = s}})
              local count = t:count({Name = s})
              print(i, #rows, count, rows[1] and rows[1].Name == s and rows[1].I == i)
            end
            print(t:count({Name = hostile}))
            print(t:update({Name = hostile[2]}, {Flag = 1}), t:delete({Name = hostile[4]}), t:count())
            """, against: fake)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == Self.hostile.count + 2)
        for i in Self.hostile.indices {
            #expect(lines[i] == "\(i + 1)\t1\t1\ttrue", "\(Self.hostile[i].debugDescription): \(lines[i])")
        }
        #expect(lines[Self.hostile.count] == "\(Self.hostile.count)")
        #expect(lines[Self.hostile.count + 1] == "1\t1\t\(Self.hostile.count)")
        // Stored byte for byte.
        let stored = (fake.tables["H"] ?? []).compactMap { row -> String? in
            if case .string(let s)? = row["Name"] { return s }
            return nil
        }
        #expect(stored == Self.hostile.filter { $0 != Self.hostile[3] } + ["decoy"])
        // On the wire: every reserved character percent-encoded, so that `+`, `&`, `#`, `%`
        // and `=` cannot change the query.
        let uri = try #require(fake.resourceRequests.first { $0.query["q.where"] == "Name='100% & more + less #hash ?q=1=2'" }?.uri)
        #expect(uri.contains("q.where=Name%3D%27100%25%20%26%20more%20%2B%20less%20%23hash%20%3Fq%3D1%3D2%27"), "\(uri)")
        #expect(!uri.contains("+") && !uri.contains("#") && !uri.contains("'") && !uri.contains(" "))
        let unicode = try #require(fake.resourceRequests.first { $0.query["q.where"] == "Name='Zoë 🚀 日本語'" }?.uri)
        #expect(unicode.contains("Zo%C3%AB%20%F0%9F%9A%80%20%E6%97%A5%E6%9C%AC%E8%AA%9E"))
    }

    /// A Lua string literal for any Swift string.
    func luaString(_ text: String) -> String {
        "\"" + text.utf8.map { byte -> String in
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): return "\\" + String(UnicodeScalar(byte))
            case 0x20..<0x7f: return String(UnicodeScalar(byte))
            default: return String(format: "\\%03d", byte)
            }
        }.joined() + "\""
    }
}
