import LuaBridge
import LuaJSON
import Testing

/// JSON decoded off the Lua thread (DecodedJSON) and replayed: the same value as a direct
/// decode, the same errors, and repeated strings made once.
@Suite struct DecodedJSONTests {
    static let documents = [
        #"{"Result":[{"PK_ID":1,"Name":"A","Note":"x\ny","Manager":null,"Active":true},{"PK_ID":2,"Name":"A","Note":"x\ny","Manager":"Ada","Active":false}]}"#,
        #"[]"#, #"{}"#, #"[[],{},[[]],{"a":[]}]"#, #""just a string""#, "42", "-0", "1.5e3", "null", "true",
        #"[1, 1.0, -9223372036854775808, 9223372036854775807, 9223372036854775808, 0.1, 1428.5714285714287]"#,
        #"{"k":"\u00e9\ud83d\ude00","k2":"Zürich","e":"","long":"0123456789012345678901234567890123456789012345"}"#,
        #"[{"a":1,"b":2},{"b":3,"a":4},{"a":{"b":{"c":[1,2,{"d":null}]}}}]"#,
        "  [ 1 , \"two\" , { \"3\" : [ ] } ]  ",
    ]

    /// The value at the top, encoded with sorted keys: arrays, nulls and integers show.
    private func encoded(_ json: JSONLua) throws -> String {
        let text = try LuaJSON.encode(json.lua, at: -1, options: .init(sortKeys: true))
        return String(decoding: text, as: UTF8.self)
    }

    @Test(arguments: documents)
    func aReplayMakesWhatADecodeMakes(text: String) throws {
        let json = JSONLua()
        let base = json.lua.top
        try Array(text.utf8).withUnsafeBytes { try LuaJSON.decode(json.lua, $0) }
        let direct = try encoded(json)
        json.lua.top = base
        let decoded = try DecodedJSON(decoding: Array(text.utf8))
        #expect(LuaJSON.push(json.lua, decoded))
        #expect(json.lua.top == base + 1, "a replay pushes exactly one value")
        #expect(try encoded(json) == direct)
        #expect(LuaJSON.isArray(json.lua, at: -1) == text.drop { $0 == " " }.hasPrefix("["))
    }

    @Test func repeatedStringsAreTheSameValuesAndNullIsTheSentinel() throws {
        let json = JSONLua()
        let text = #"[{"Name":"Ann","City":"Bern","Note":"a\tb","Gone":null},{"Name":"Bob","City":"Bern","Note":"a\tb","Gone":null}]"#
        #expect(LuaJSON.push(json.lua, try DecodedJSON(decoding: Array(text.utf8))))
        json.lua.setGlobalFromTop("rows")
        let values = try json.run("""
            local a, b = rows[1], rows[2]
            return a.Name, b.Name, a.City == b.City, b.City, b.Note, a.Gone == json.null, b.Gone == json.null
            """)
        #expect(values == [.string("Ann"), .string("Bob"), .boolean(true), .string("Bern"), .string("a\tb"), .boolean(true), .boolean(true)])
    }

    static let broken = [
        "", "{", "[1,]", #"{"a" 1}"#, #"{"a":1,}"#, "[1 2]", "01", "1.", "-", #""\x""#, "\"a", "[\"\u{01}\"]", "1e400", "[1] x",
        #""\ud800""#, "nul", "[" + String(repeating: "[", count: 20) + String(repeating: "]", count: 21),
    ]

    @Test(arguments: broken)
    func undecodableTextIsTheSameErrorAsADecodes(text: String) throws {
        let json = JSONLua()
        let direct = try #require(try json.decodeError(Array(text.utf8), maxDepth: 10))
        #expect(throws: direct) { try DecodedJSON(decoding: Array(text.utf8), maxDepth: 10) }
    }
}
