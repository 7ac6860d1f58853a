/// Checks on the SQL fragments and names that clients send. Fragments (q.where, q.select,
/// q.orderBy, q.groupBy) are embedded into one statement, which must then prepare as exactly
/// one statement (`SQLiteConnection.prepare`); these checks refuse the obvious attempts early
/// with a clear message, before SQLite sees them.
enum SQLText {
    /// Letters, digits and underscores, not starting with a digit, at most 64 characters:
    /// names that need no escaping in Caspio and are quoted anyway when embedded.
    static func isIdentifier(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 64 else { return false }
        let letters = first.properties.isAlphabetic || first == "_"
        return letters && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" }
    }

    /// `"Name"`, after `isIdentifier` has vouched for it.
    static func quoted(_ name: String) -> String { "\"" + name + "\"" }

    /// Refuses statement separators and comments outside string literals, and unclosed
    /// literals or brackets: a fragment must be one expression (or one list of them).
    static func checkFragment(_ text: String, parameter: String) throws(StoreError) {
        var inString = false
        var depth = 0
        var previous: Character = " "
        for ch in text {
            if inString {
                if ch == "'" { inString = false }  // a doubled '' re-enters on the next quote
            } else {
                switch ch {
                case "'": inString = true
                case ";": throw StoreError.sql("\(parameter) must be a single expression: ';' is not allowed")
                case "-" where previous == "-", "*" where previous == "/":
                    throw StoreError.sql("\(parameter) must be a single expression: comments are not allowed")
                case "(": depth += 1
                case ")":
                    depth -= 1
                    if depth < 0 { throw StoreError.sql("\(parameter): unbalanced parentheses") }
                default: break
                }
            }
            previous = inString ? " " : ch
        }
        if inString { throw StoreError.sql("\(parameter): unterminated string literal") }
        if depth != 0 { throw StoreError.sql("\(parameter): unbalanced parentheses") }
    }

    /// The bare words of a fragment outside string literals (`Name`, `LIKE`, `T.Field`'s
    /// `T` and `Field`): enough to tell whether a clause names a given field.
    static func words(in text: String) -> [String] {
        var words: [String] = [], current = "", inString = false
        for ch in text + " " {
            if inString {
                if ch == "'" { inString = false }
            } else if ch == "'" {
                inString = true
            } else if ch.isLetter || ch.isNumber || ch == "_" {
                current.append(ch)
                continue
            }
            if !current.isEmpty { words.append(current) }
            current = ""
        }
        return words
    }

    /// The literals of a fragment: its strings (quotes undoubled) and its numbers (`12`, `4.5`;
    /// not the digits of a name such as `Field1`).
    static func literals(in text: String) -> (texts: [String], numbers: [Double]) {
        var texts: [String] = [], numbers: [Double] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let ch = chars[i]
            if ch == "'" {
                texts.append(quoted(chars, &i))
                continue
            } else if ch.isLetter || ch == "_" {
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { i += 1 }
                continue
            } else if ch.isASCII, ch.isNumber {
                var token = ""
                while i < chars.count, chars[i].isASCII, chars[i].isNumber || chars[i] == "." { token.append(chars[i]); i += 1 }
                if let number = Double(token) { numbers.append(number) }
                continue
            }
            i += 1
        }
        return (texts, numbers)
    }

    /// The text of the `'…'` literal whose opening quote is at `i` (`''` is one quote); `i`
    /// ends past its closing quote.
    static func quoted(_ chars: [Character], _ i: inout Int) -> String {
        var value = ""
        i += 1
        while i < chars.count {
            if chars[i] == "'" {
                if i + 1 < chars.count, chars[i + 1] == "'" { value.append("'"); i += 2; continue }
                break
            }
            value.append(chars[i])
            i += 1
        }
        i += 1
        return value
    }

    /// A fragment's tokens, enough to see what a literal is compared with: names (bare,
    /// `"quoted"` or `[bracketed]`; `T.Field` as `Field`), text literals (`N'…'` as `'…'`) and symbols.
    enum Token: Hashable { case name(String), text(String), symbol(String) }

    static func tokens(in text: String) -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        func until(_ end: Character) -> String {
            var value = ""
            i += 1
            while i < chars.count, chars[i] != end { value.append(chars[i]); i += 1 }
            i += 1
            return value
        }
        func name(_ value: String) {
            // `T.Field` names the field.
            if tokens.count >= 2, tokens.last == .symbol("."), case .name = tokens[tokens.count - 2] { tokens.removeLast(2) }
            tokens.append(.name(value))
        }
        while i < chars.count {
            let ch = chars[i]
            if ch.isWhitespace {
                i += 1
            } else if ch == "'" {
                tokens.append(.text(quoted(chars, &i)))
            } else if ch == "\"" {
                name(until("\""))
            } else if ch == "[" {
                name(until("]"))
            } else if ch.isLetter || ch == "_" {
                var word = ""
                while i < chars.count, chars[i].isLetter || chars[i].isNumber || chars[i] == "_" { word.append(chars[i]); i += 1 }
                if word.uppercased() == "N", i < chars.count, chars[i] == "'" { continue }  // N'…'
                name(word)
            } else if let pair = i + 1 < chars.count ? String([ch, chars[i + 1]]) : nil, ["<=", ">=", "<>", "!=", "!<", "!>", "=="].contains(pair) {
                tokens.append(.symbol(pair))
                i += 2
            } else {
                tokens.append(.symbol(String(ch)))
                i += 1
            }
        }
        return tokens
    }

    /// The text literals a fragment compares with the named fields (`fields`: lower-cased name
    /// → name): `F <op> 'x'`, `'x' <op> F`, `F [NOT] BETWEEN 'x' AND 'y'`, `F [NOT] IN ('x', …)`.
    static func comparedLiterals(in text: String, fields: [String: String]) -> [(field: String, literal: String)] {
        let tokens = tokens(in: text)
        let comparisons: Set<Token> = Set(["=", "==", "<>", "!=", "<", ">", "<=", ">=", "!<", "!>"].map(Token.symbol))
        func at(_ i: Int) -> Token? { tokens.indices.contains(i) ? tokens[i] : nil }
        func keyword(_ i: Int, _ word: String) -> Bool {
            if case .name(let name)? = at(i) { name.uppercased() == word } else { false }
        }
        var found: [(String, String)] = []
        for (i, token) in tokens.enumerated() {
            guard case .name(let name) = token, let field = fields[name.lowercased()], at(i + 1) != .symbol("(") else { continue }
            func literal(_ j: Int) { if case .text(let value)? = at(j) { found.append((field, value)) } }
            if let before = at(i - 1), comparisons.contains(before) { literal(i - 2) }
            if let after = at(i + 1), comparisons.contains(after) { literal(i + 2) }
            let j = keyword(i + 1, "NOT") ? i + 2 : i + 1
            if keyword(j, "BETWEEN") {
                literal(j + 1)
                if keyword(j + 2, "AND") { literal(j + 3) }
            } else if keyword(j, "IN"), at(j + 1) == .symbol("(") {
                var k = j + 2
                while case .text(let value)? = at(k) {
                    found.append((field, value))
                    guard at(k + 1) == .symbol(",") else { break }
                    k += 2
                }
            }
        }
        return found
    }

    /// T-SQL's Unicode literals (`N'O''Brien'`, which v4's users are told to write) as
    /// SQLite's plain ones: the `N` before a literal goes, nothing else changes.
    static func plainLiterals(_ text: String) -> String {
        var out = "", inString = false
        let chars = Array(text)
        for (i, ch) in chars.enumerated() {
            if inString {
                if ch == "'" { inString = false }
            } else if ch == "'" {
                inString = true
            } else if ch == "N" || ch == "n", i + 1 < chars.count, chars[i + 1] == "'",
                i == 0 || !(chars[i - 1].isLetter || chars[i - 1].isNumber || chars[i - 1] == "_") {
                continue
            }
            out.append(ch)
        }
        return out
    }
}
