import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// caspio.where, in process: quoting, literals, lists, NULL, raw SQL; hostile strings reach
/// the server intact and match exactly the row that holds them.
@Suite struct WhereTests {
    /// A where table (Lua) and the SQL it makes: fields sorted, strings quoted.
    static let clauses: [(String, String)] = [
        (#"{State = "CA", Name = "O'Brien"}"#, "Name='O''Brien' AND State='CA'"),
        ("{N = 5, Neg = -3, Big = math.maxinteger, F = 1.5}", "Big=9223372036854775807 AND F=1.5 AND N=5 AND Neg=-3"),
        ("{Small = math.mininteger}", "Small=-9223372036854775808"),
        // Floats in their shortest exact form: 0.1, not 0.10000000000000001.
        ("{P = 0.1, Third = 1 / 3, Huge = 1e300, Whole = 3.0}", "Huge=1e+300 AND P=0.1 AND Third=0.3333333333333333 AND Whole=3"),
        ("{Sum = 0.1 + 0.2, Neg = -0.1}", "Neg=-0.1 AND Sum=0.30000000000000004"),
        ("{A = true, B = false}", "A=1 AND B=0"),
        (#"{Gone = caspio.json.null, Here = "x"}"#, "Gone IS NULL AND Here='x'"),
        (#"{S = {"a", "b'c"}, N = {1, 2.5, true}}"#, "N IN (1, 2.5, 1) AND S IN ('a', 'b''c')"),
        (#"{Quotes = "''", Empty = ""}"#, "Empty='' AND Quotes=''''''"),
        (#"caspio.where.raw("N > 5 OR Name LIKE 'A%'")"#, "N > 5 OR Name LIKE 'A%'"),
        (#"{Stamp = caspio.where.raw("GETDATE()"), Ids = {caspio.where.raw("1"), 2}}"#, "Ids IN (1, 2) AND Stamp=GETDATE()"),
        (#""N=1 AND X='y'""#, "N=1 AND X='y'"),
        ("nil", ""),
        ("{}", ""),
        ("{_under_score1 = 1}", "_under_score1=1"),
    ]

    @Test(arguments: clauses)
    func buildsTheClause(whereTable: String, sql: String) async throws {
        let lua = try InProcessLua()
        #expect(await lua.values("return caspio.where(\(whereTable))") == [.string(sql)])
    }

    @Test func rawReadsAsItsSQL() async throws {
        let lua = try InProcessLua()
        #expect(await lua.values(#"return tostring(caspio.where.raw("1=1"))"#) == ["1=1"])
    }

    /// What is not a field name or not a value, and the message that says so.
    static let rejected: [(String, String)] = [
        (#"{["Name; DROP TABLE x"] = 1}"#, "caspio.where: Name; DROP TABLE x is not a field name"),
        (#"{["1abc"] = 1}"#, "caspio.where: 1abc is not a field name"),
        (#"{[""] = 1}"#, "caspio.where:  is not a field name"),
        (#"{["Name'"] = 1}"#, "caspio.where: Name' is not a field name"),
        (#"{"positional"}"#, "caspio.where: 1 is not a field name"),
        ("{N = {}}", "caspio.where: the list for N is empty"),
        ("{N = 0/0}", "which SQL cannot compare"),
        ("{N = math.huge}", "caspio.where: N is inf, which SQL cannot compare"),
        ("{N = -math.huge}", "caspio.where: N is -inf, which SQL cannot compare"),
        ("{N = print}", "caspio.where: N has a function value"),
        ("{N = {{1}}}", "caspio.where: N has a table value"),
        ("{N = {1, print}}", "caspio.where: N has a function value"),
        ("42", "must be a string or a table (got the number 42)"),
    ]

    /// The ways a where clause reaches the check: each error must point at the script's line.
    static let paths = [
        "caspio.where(%@)",
        "pcall(error, 'unrelated'); local ok, err = pcall(caspio.where, %@); error(err, 0)",
        #"caspio.records("T", {where = %@})"#,
        #"caspio.table("T"):count(%@)"#,
        #"caspio.table("T"):all({where = %@})"#,
        #"caspio.table("T"):delete(%@)"#,
        #"caspio.table("T"):update(%@, {A = 1})"#,
    ]

    @Test(arguments: rejected, paths)
    func rejectsAtTheScriptsLine(clause: (String, String), path: String) async throws {
        let lua = try InProcessLua()
        let call = path.replacingOccurrences(of: "%@", with: clause.0)
        let message = await lua.failure("local x = 1\n\(call)")
        #expect(message?.hasPrefix("script.lua:2: ") == true, "\(message ?? "")")
        #expect(message?.contains(clause.1) == true, "\(message ?? "")")
    }

    @Test func rawNeedsAString() async throws {
        let lua = try InProcessLua()
        // Not a tail call: that would leave no frame of the script to point at.
        #expect(await lua.failure("\nlocal r = caspio.where.raw(42)") == "script.lua:2: bad argument #1 to 'raw' (string expected)")
    }

    /// Strings that break naive quoting or URL building.
    static let hostile: [String] = [
        "O'Brien", "'; DROP TABLE x; --", "a' OR '1'='1", "x' AND N=1 AND 'y'='y", "100% & more + less #hash ?q=1=2",
        "Zoë 🚀 日本語", "''", #"back\slash "dq""#, "tab\tnew\nline", " padded ", "a IN (b)", "x IS NULL", "",
        "%27%20", "a,b", "😀'😀",
    ]

    @Test func hostileStringsMatchExactlyTheirRow() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.createTable("H", fields: [("PK_ID", "AUTONUMBER"), ("Name", "STRING"), ("I", "INTEGER"), ("Flag", "INTEGER")])
        let lua = try InProcessLua(fake)
        let list = Self.hostile.map { luaString($0) }.joined(separator: ",\n  ")
        let values = await lua.values("""
            local hostile = {
              \(list)
            }
            local t = caspio.table("H")
            for i, s in ipairs(hostile) do t:insert({Name = s, I = i}) end
            t:insert({Name = "decoy", I = 0})
            local lines = {}
            for i, s in ipairs(hostile) do
              local rows = t:all({where = {Name = s}})
              local count = t:count({Name = s})
              lines[i] = string.format("%d %d %s", #rows, count, tostring(rows[1] and rows[1].Name == s and rows[1].I == i))
            end
            return table.concat(lines, "\\n"), t:count({Name = hostile}),
              t:update({Name = hostile[2]}, {Flag = 1}), t:delete({Name = hostile[4]}), t:count()
            """)
        let lines = values.first?.stringValue?.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) ?? []
        #expect(lines.count == Self.hostile.count)
        for (i, line) in lines.enumerated() {
            #expect(line == "1 1 true", "\(Self.hostile[i].debugDescription): \(line)")
        }
        #expect(Array(values.dropFirst()) == [.integer(Int64(Self.hostile.count)), 1, 1, .integer(Int64(Self.hostile.count))])
        // Stored byte for byte.
        let stored = try fake.rows("H").compactMap { $0["Name"] as? String }
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
