// Writing JSON scalars into a ByteBuffer.

// "00" "01" ... "99", for writing integers two digits at a time.
private let digitPairs: StaticString =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

private let hexDigits: StaticString = "0123456789abcdef"

extension ByteBuffer {
    /// Writes an integer exactly, two digits at a time.
    mutating func appendInteger(_ value: Int64) {
        reserve(20)
        if value < 0 { appendUnchecked(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        var length = 1
        var power: UInt64 = 10
        while length < 19 && magnitude >= power {
            length &+= 1
            power &*= 10
        }
        let pairs = digitPairs.utf8Start
        var cursor = base + count + length
        while magnitude >= 100 {
            let pair = Int(magnitude % 100) &* 2
            magnitude /= 100
            cursor -= 2
            cursor[0] = pairs[pair]
            cursor[1] = pairs[pair &+ 1]
        }
        if magnitude >= 10 {
            let pair = Int(magnitude) &* 2
            cursor -= 2
            cursor[0] = pairs[pair]
            cursor[1] = pairs[pair &+ 1]
        } else {
            cursor -= 1
            cursor[0] = UInt8(truncatingIfNeeded: magnitude) &+ UInt8(ascii: "0")
        }
        count &+= length
    }

    /// Writes a finite float as Swift's shortest round-trip text. It always has a '.' or an
    /// exponent ("1.0", "1e-07"), so the number reads back as a float, not an integer.
    mutating func appendFloat(_ value: Double) {
        var text = value.description
        text.withUTF8 { utf8 in append(utf8.baseAddress!, count: utf8.count) }
    }

    /// Writes `s` as a JSON string. Valid UTF-8 is copied as is; `"`, `\` and control
    /// characters are escaped. Returns -1, or the index of the first byte of `s` that is not
    /// valid UTF-8 (nothing usable is written then).
    mutating func appendString(_ s: UnsafePointer<UInt8>, count n: Int) -> Int {
        reserve(n &+ 2)
        appendUnchecked(UInt8(ascii: "\""))
        var runStart = 0
        var j = 0
        while true {
            while j &+ 8 <= n {
                let plain = plainPrefixLength(s, j)
                j &+= plain
                if plain < 8 { break }
            }
            guard j < n else { break }
            let c = s[j]
            if c >= 0x80 {
                let next = utf8SequenceEnd(s, j, n)
                if next < 0 { return j }
                j = next
            } else if c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                append(s + runStart, count: j &- runStart)
                appendEscape(c)
                j &+= 1
                runStart = j
            } else {
                j &+= 1
            }
        }
        append(s + runStart, count: n &- runStart)
        append(UInt8(ascii: "\""))
        return -1
    }

    @inline(never)
    private mutating func appendEscape(_ c: UInt8) {
        reserve(6)
        appendUnchecked(UInt8(ascii: "\\"))
        switch c {
        case UInt8(ascii: "\""): appendUnchecked(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): appendUnchecked(UInt8(ascii: "\\"))
        case 0x0A: appendUnchecked(UInt8(ascii: "n"))
        case 0x0D: appendUnchecked(UInt8(ascii: "r"))
        case 0x09: appendUnchecked(UInt8(ascii: "t"))
        case 0x08: appendUnchecked(UInt8(ascii: "b"))
        case 0x0C: appendUnchecked(UInt8(ascii: "f"))
        default:
            let hex = hexDigits.utf8Start
            appendUnchecked(UInt8(ascii: "u"))
            appendUnchecked(UInt8(ascii: "0"))
            appendUnchecked(UInt8(ascii: "0"))
            appendUnchecked(hex[Int(c >> 4)])
            appendUnchecked(hex[Int(c & 0xF)])
        }
    }
}
