import CLua
import Glibc

extension Decoder {
    /// Parses a string whose opening quote is just before `i` and pushes it.
    @inline(__always)
    mutating func parseString() throws(JSONError) {
        push(try scanString())
    }

    /// Pushes a string `scanString` found.
    @inline(__always)
    func push(_ text: StringText) {
        if text.decoded {
            lua_pushlstring(L, cchars(scratch.base), text.count)
        } else {
            lua_pushlstring(L, cchars(p + text.start), text.count)
        }
    }

    /// Parses a string whose opening quote is just before `i`, leaving `i` after its closing
    /// quote. Strings without escapes (the common case) are validated and left in place in the
    /// input; only escapes send bytes through `scratch`.
    mutating func scanString() throws(JSONError) -> StringText {
        let quote = i &- 1
        var runStart = i
        var j = i
        var escaped = false
        while true {
            while j &+ 8 <= end {
                let plain = plainPrefixLength(p, j)
                j &+= plain
                if plain < 8 { break }
            }
            guard j < end else { throw fail("unterminated string", at: quote) }
            let c = p[j]
            if c == UInt8(ascii: "\"") {
                i = j &+ 1
                if escaped {
                    scratch.append(p + runStart, count: j &- runStart)
                    return StringText(start: 0, count: scratch.count, decoded: true)
                }
                return StringText(start: runStart, count: j &- runStart, decoded: false)
            } else if c == UInt8(ascii: "\\") {
                if !escaped {
                    escaped = true
                    scratch.count = 0
                }
                scratch.append(p + runStart, count: j &- runStart)
                j = try decodeEscape(at: j, quote: quote)
                runStart = j
            } else if c < 0x20 {
                throw fail("unescaped control character in string", at: j)
            } else if c < 0x80 {
                j &+= 1  // plain ASCII in the last few bytes, or next to a special byte
            } else {
                let next = utf8SequenceEnd(p, j, end)
                if next < 0 { throw fail("invalid UTF-8 in string", at: j) }
                j = next
            }
        }
    }

    /// Decodes the escape whose backslash is at `j` into `scratch`; returns the index after it.
    private mutating func decodeEscape(at j: Int, quote: Int) throws(JSONError) -> Int {
        guard j &+ 1 < end else { throw fail("unterminated string", at: quote) }
        let byte: UInt8
        switch p[j &+ 1] {
        case UInt8(ascii: "\""): byte = 0x22
        case UInt8(ascii: "\\"): byte = 0x5C
        case UInt8(ascii: "/"): byte = 0x2F
        case UInt8(ascii: "b"): byte = 0x08
        case UInt8(ascii: "f"): byte = 0x0C
        case UInt8(ascii: "n"): byte = 0x0A
        case UInt8(ascii: "r"): byte = 0x0D
        case UInt8(ascii: "t"): byte = 0x09
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: j &+ 2) else {
                throw fail("invalid \\u escape (expected 4 hex digits)", at: j)
            }
            var scalar = unit
            var next = j &+ 6
            if unit >= 0xD800 && unit <= 0xDBFF {
                // A high surrogate must be followed by an escaped low surrogate.
                guard next &+ 1 < end, p[next] == UInt8(ascii: "\\"), p[next &+ 1] == UInt8(ascii: "u"),
                    let low = hex4(at: next &+ 2), low >= 0xDC00 && low <= 0xDFFF
                else { throw fail("high surrogate \\u escape not followed by a low surrogate", at: j) }
                scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                next &+= 6
            } else if unit >= 0xDC00 && unit <= 0xDFFF {
                throw fail("lone low surrogate \\u escape", at: j)
            }
            scratch.appendUTF8(scalar)
            return next
        default:
            throw fail("invalid escape", at: j)
        }
        scratch.append(byte)
        return j &+ 2
    }

    private func hex4(at k: Int) -> UInt32? {
        guard k &+ 4 <= end else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let c = p[k &+ offset]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// Parses a number at `i` and pushes it: an integer without fraction or exponent that
    /// fits in Int64 becomes a Lua integer, anything else a correctly rounded float.
    mutating func parseNumber() throws(JSONError) {
        let start = i
        var j = i
        let negative = p[j] == UInt8(ascii: "-")
        if negative { j &+= 1 }
        guard j < end, isDigit(p[j]) else { throw fail("expected digit", at: j) }

        // The value is mantissa * 10^exponent; the mantissa keeps the first 19 significant
        // digits (which always fit in UInt64), `inexact` says whether nonzero digits were dropped.
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var inexact = false
        if p[j] == UInt8(ascii: "0") {
            j &+= 1
            if j < end && isDigit(p[j]) { throw fail("leading zeros are not allowed", at: j &- 1) }
        } else {
            while j < end && isDigit(p[j]) {
                let d = UInt64(p[j] &- UInt8(ascii: "0"))
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ d
                    digits &+= 1
                } else {
                    exponent &+= 1
                    if d != 0 { inexact = true }
                }
                j &+= 1
            }
        }
        var integral = true
        if j < end && p[j] == UInt8(ascii: ".") {
            integral = false
            j &+= 1
            guard j < end && isDigit(p[j]) else { throw fail("expected digit after '.'", at: j) }
            while j < end && isDigit(p[j]) {
                let d = UInt64(p[j] &- UInt8(ascii: "0"))
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ d
                    if mantissa != 0 { digits &+= 1 }  // leading zeros of 0.000x are not significant
                    exponent &-= 1
                } else if d != 0 {
                    inexact = true
                }
                j &+= 1
            }
        }
        if j < end && p[j] | 0x20 == UInt8(ascii: "e") {
            integral = false
            j &+= 1
            var exponentNegative = false
            if j < end && (p[j] == UInt8(ascii: "+") || p[j] == UInt8(ascii: "-")) {
                exponentNegative = p[j] == UInt8(ascii: "-")
                j &+= 1
            }
            guard j < end && isDigit(p[j]) else { throw fail("expected digit in exponent", at: j) }
            var value = 0
            while j < end && isDigit(p[j]) {
                if value < 1_000_000 { value = value &* 10 &+ Int(p[j] &- UInt8(ascii: "0")) }
                j &+= 1
            }
            exponent &+= exponentNegative ? -value : value
        }
        i = j

        if integral && !inexact && exponent == 0 {
            if negative {
                if mantissa == 0 {
                    lua_pushnumber(L, -0.0)  // -0 exists only as a float
                    return
                }
                if mantissa <= UInt64(Int64.max) &+ 1 {
                    lua_pushinteger(L, Int64(bitPattern: 0 &- mantissa))
                    return
                }
            } else if mantissa <= UInt64(Int64.max) {
                lua_pushinteger(L, Int64(mantissa))
                return
            }
        }
        // Exact when both mantissa and power of ten are exact doubles (Clinger's fast path):
        // one IEEE multiplication or division then rounds correctly.
        if !inexact && mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / powerOf10(-exponent) : value * powerOf10(exponent)
            lua_pushnumber(L, negative ? -value : value)
            return
        }
        let value = slowDouble(from: start, to: j)
        // JSON has no infinity: 1e400 would decode to a number that cannot be encoded again.
        guard value.isFinite else { throw fail("number out of range (beyond 1.8e308)", at: start) }
        lua_pushnumber(L, value)
    }

    /// Long or extreme numbers go through glibc's correctly rounded strtod.
    private mutating func slowDouble(from start: Int, to stop: Int) -> Double {
        scratch.count = 0
        scratch.append(p + start, count: stop &- start)
        scratch.append(0)
        var parsedEnd: UnsafeMutablePointer<CChar>?
        let value = strtod(cchars(scratch.base), &parsedEnd)
        let consumed = parsedEnd.map { UnsafeRawPointer($0) - UnsafeRawPointer(scratch.base) }
        if consumed == stop &- start {
            return value
        }
        // strtod follows LC_NUMERIC; under a locale whose decimal point is not '.', let the
        // standard library parse instead (it always uses the C locale).
        let text = String(decoding: UnsafeBufferPointer(start: p + start, count: stop &- start), as: UTF8.self)
        let parsed: Double? = Double(text)
        return parsed ?? .nan
    }
}

@inline(__always)
private func isDigit(_ c: UInt8) -> Bool { c &- UInt8(ascii: "0") < 10 }

@inline(__always)
private func powerOf10(_ n: Int) -> Double { powersOf10[n] }

// 10^0 ... 10^22: every one is exactly representable as a Double.
private let powersOf10: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]
