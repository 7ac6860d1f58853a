import LuaBridge
import LuaJSON
import Testing

/// One invalid JSON text, with the 1-based byte offset and message the error must give.
struct Invalid: CustomTestStringConvertible, Sendable {
    let bytes: [UInt8]
    let offset: Int
    let message: String

    init(_ text: String, _ offset: Int, _ message: String) {
        self.init(Array(text.utf8), offset, message)
    }

    init(_ bytes: [UInt8], _ offset: Int, _ message: String) {
        self.bytes = bytes
        self.offset = offset
        self.message = message
    }

    var testDescription: String { String(decoding: bytes, as: UTF8.self).debugDescription }
}

let q = UInt8(ascii: "\"")

let invalidTexts: [Invalid] = [
    // Empty or blank input.
    Invalid("", 1, "expected value but found end of input"),
    Invalid("  \n", 4, "expected value but found end of input"),
    // Numbers.
    Invalid("01", 1, "leading zeros are not allowed"),
    Invalid("-01", 2, "leading zeros are not allowed"),
    Invalid("00", 1, "leading zeros are not allowed"),
    Invalid("[007]", 2, "leading zeros are not allowed"),
    Invalid("NaN", 1, "expected value"),
    Invalid("nan", 2, "invalid literal (expected 'null')"),
    Invalid("Infinity", 1, "expected value"),
    Invalid("-Infinity", 2, "expected digit"),
    Invalid("0x1", 2, "unexpected data after the JSON value"),
    Invalid("+1", 1, "expected value"),
    Invalid(".5", 1, "expected value"),
    Invalid("1.", 3, "expected digit after '.' but found end of input"),
    Invalid("1.e5", 3, "expected digit after '.'"),
    Invalid("[1.]", 4, "expected digit after '.'"),
    Invalid("1e", 3, "expected digit in exponent but found end of input"),
    Invalid("1e+", 4, "expected digit in exponent but found end of input"),
    Invalid("1E-x", 4, "expected digit in exponent"),
    Invalid("1e1.5", 4, "unexpected data after the JSON value"),
    Invalid("-", 2, "expected digit but found end of input"),
    Invalid("--1", 2, "expected digit"),
    Invalid("- 1", 2, "expected digit"),
    Invalid("1_000", 2, "unexpected data after the JSON value"),
    // Literals.
    Invalid("tru", 4, "invalid literal (expected 'true') but found end of input"),
    Invalid("True", 1, "expected value"),
    Invalid("nul", 4, "invalid literal (expected 'null') but found end of input"),
    Invalid("falsy", 5, "invalid literal (expected 'false')"),
    Invalid("nullx", 5, "unexpected data after the JSON value"),
    Invalid("undefined", 1, "expected value"),
    // Structure.
    Invalid("[1,]", 4, "expected value"),
    Invalid("[1,2,,3]", 6, "expected value"),
    Invalid("[,1]", 2, "expected value"),
    Invalid(#"{"a":1,}"#, 8, "expected string key"),
    Invalid("{,}", 2, "expected string key"),
    Invalid("{1:2}", 2, "expected string key"),
    Invalid("{a:1}", 2, "expected string key"),
    Invalid(#"{"a" 1}"#, 6, "expected ':' after object key"),
    Invalid(#"{"a"}"#, 5, "expected ':' after object key"),
    Invalid(#"{"a":}"#, 6, "expected value"),
    Invalid(#"{"a":1 "b":2}"#, 8, "expected ',' or '}' after object member"),
    Invalid(#"{"a":1]"#, 7, "expected ',' or '}' after object member"),
    Invalid("[1 2]", 4, "expected ',' or ']' after array element"),
    Invalid("[1}", 3, "expected ',' or ']' after array element"),
    Invalid("[", 2, "expected value but found end of input"),
    Invalid("[1", 3, "expected ',' or ']' after array element but found end of input"),
    Invalid("[1,", 4, "expected value but found end of input"),
    Invalid("{", 2, "expected string key but found end of input"),
    Invalid(#"{"a":"#, 6, "expected value but found end of input"),
    Invalid("]", 1, "expected value"),
    Invalid("[1]]", 4, "unexpected data after the JSON value"),
    Invalid("{}{}", 3, "unexpected data after the JSON value"),
    Invalid("[1] x", 5, "unexpected data after the JSON value"),
    Invalid("1 2", 3, "unexpected data after the JSON value"),
    // Comments, quotes, and whitespace JSON does not have.
    Invalid("// c\n1", 1, "expected value"),
    Invalid("/* c */ 1", 1, "expected value"),
    Invalid("[1] // c", 5, "unexpected data after the JSON value"),
    Invalid("'a'", 1, "expected value"),
    Invalid("{'a':1}", 2, "expected string key"),
    Invalid("\u{0C}1", 1, "expected value"),  // form feed
    Invalid("1\u{0B}", 2, "unexpected data after the JSON value"),  // vertical tab
    Invalid("\u{A0}1", 1, "expected value"),  // no-break space
    Invalid("\u{FEFF}1", 1, "expected value"),  // byte order mark
    Invalid([0x31, 0x00], 2, "unexpected data after the JSON value"),
    // Strings: control characters and escapes.
    Invalid(#""abc"#, 1, "unterminated string"),
    Invalid(#"["abc]"#, 2, "unterminated string"),
    Invalid(#""abc\"#, 1, "unterminated string"),
    Invalid("\"a\u{01}b\"", 3, "unescaped control character in string"),
    Invalid("\"a\tb\"", 3, "unescaped control character in string"),
    Invalid("\"a\nb\"", 3, "unescaped control character in string"),
    Invalid([q, 0x61, 0x00, q], 3, "unescaped control character in string"),
    Invalid(#""\x""#, 2, "invalid escape"),
    Invalid(#""\a""#, 2, "invalid escape"),
    Invalid(#""\'""#, 2, "invalid escape"),
    Invalid(#""\U0041""#, 2, "invalid escape"),
    Invalid(#""ab\u12""#, 4, #"invalid \u escape (expected 4 hex digits)"#),
    Invalid(#""\uZZZZ""#, 2, #"invalid \u escape (expected 4 hex digits)"#),
    Invalid(#""\u00g1""#, 2, #"invalid \u escape (expected 4 hex digits)"#),
    Invalid(#""\u""#, 2, #"invalid \u escape (expected 4 hex digits)"#),
    Invalid(#""\ud800""#, 2, #"high surrogate \u escape not followed by a low surrogate"#),
    Invalid(#""\udbff""#, 2, #"high surrogate \u escape not followed by a low surrogate"#),
    Invalid(#""\ud800x""#, 2, #"high surrogate \u escape not followed by a low surrogate"#),
    Invalid(#""\ud800\u0041""#, 2, #"high surrogate \u escape not followed by a low surrogate"#),
    Invalid(#""\ud800\ud800""#, 2, #"high surrogate \u escape not followed by a low surrogate"#),
    Invalid(#""\ud800\n""#, 2, #"high surrogate \u escape not followed by a low surrogate"#),
    Invalid(#""x\udc00""#, 3, #"lone low surrogate \u escape"#),
    Invalid(#""\udfff\ud800""#, 2, #"lone low surrogate \u escape"#),
    // Strings: invalid UTF-8.
    Invalid([q, 0xC0, 0x80, q], 2, "invalid UTF-8 in string"),  // overlong NUL
    Invalid([q, 0xC1, 0xBF, q], 2, "invalid UTF-8 in string"),  // overlong 2-byte
    Invalid([q, 0xE0, 0x80, 0xAF, q], 2, "invalid UTF-8 in string"),  // overlong 3-byte
    Invalid([q, 0xF0, 0x80, 0x80, 0xAF, q], 2, "invalid UTF-8 in string"),  // overlong 4-byte
    Invalid([q, 0xED, 0xA0, 0x80, q], 2, "invalid UTF-8 in string"),  // U+D800 encoded
    Invalid([q, 0x61, 0xED, 0xBF, 0xBF, q], 3, "invalid UTF-8 in string"),  // U+DFFF encoded
    Invalid([q, 0xF4, 0x90, 0x80, 0x80, q], 2, "invalid UTF-8 in string"),  // U+110000
    Invalid([q, 0xF5, 0x80, 0x80, 0x80, q], 2, "invalid UTF-8 in string"),
    Invalid([q, 0xFF, q], 2, "invalid UTF-8 in string"),
    Invalid([q, 0xFE, q], 2, "invalid UTF-8 in string"),
    Invalid([q, 0x80, q], 2, "invalid UTF-8 in string"),  // stray continuation byte
    Invalid([q, 0xC3, 0xA9, 0xA9, q], 4, "invalid UTF-8 in string"),  // one continuation too many
    Invalid([q, 0xE2, 0x82, q], 2, "invalid UTF-8 in string"),  // truncated
    Invalid([q, 0xF0, 0x9F, 0x98, q], 2, "invalid UTF-8 in string"),  // truncated
    Invalid([q, 0x61, 0xC3], 3, "invalid UTF-8 in string"),  // truncated at end of input
    Invalid([q, 0xC3, 0x28, q], 2, "invalid UTF-8 in string"),  // lead byte then ASCII
    Invalid(Array("\"0123456789abcdef".utf8) + [0xE9] + Array("0123456789\"".utf8), 18, "invalid UTF-8 in string"),
    // Invalid UTF-8 outside strings is just an unexpected byte.
    Invalid([0xC3, 0xA9], 1, "expected value"),
]

@Suite struct RejectTests {
    @Test(arguments: invalidTexts)
    func rejected(_ invalid: Invalid) throws {
        let j = JSONLua()
        let error = try #require(try j.decodeError(invalid.bytes), "must be rejected")
        #expect(error.message == invalid.message)
        #expect(error.offset == invalid.offset)
        #expect(error.path == nil)
        #expect(error.description == "json: \(invalid.message) at byte \(invalid.offset)")
    }

    @Test func everyProperPrefixOfADocumentIsRejected() throws {
        let j = JSONLua()
        let text = Array(#"{"a": [1, -2.5e3, "x\"\u00e9y", true, false, null, {}], "b": {"c": []}}"#.utf8)
        #expect(try j.decodeError(text) == nil)
        for n in 0..<text.count {
            #expect(try j.decodeError(Array(text[..<n])) != nil, "prefix of \(n) bytes")
        }
    }

    @Test func corruptedDocumentsNeverCrash() throws {
        // Every single-byte corruption of a document either decodes or fails cleanly, and
        // the stack stays balanced (decodeError checks that).
        let j = JSONLua()
        let text = Array(#"{"k":[1,2.5,"é\n",true,null],"o":{"x":-0}}"#.utf8)
        for n in text.indices {
            for replacement: UInt8 in [0x00, 0x22, 0x5C, 0x5D, 0x7D, 0x2C, 0x30, 0x80, 0xFF] {
                var bad = text
                bad[n] = replacement
                _ = try j.decodeError(bad)
            }
        }
    }
}
