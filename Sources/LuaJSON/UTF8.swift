// Byte-level helpers shared by the decoder and the encoder.

/// How many of the 8 bytes at `p + i` come before the first one a string scanner must look
/// at (`"`, `\`, a control character < 0x20, or a non-ASCII byte); 8 if there is none.
/// Plain ASCII is thus skipped a word at a time. The bit tricks can flag a false positive
/// only above a true one (a borrow carries upward), so the lowest flag is exact.
@inline(__always)
func plainPrefixLength(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int {
    let word = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let quote = word ^ (ones &* 0x22)
    let backslash = word ^ (ones &* 0x5C)
    let hasQuote = (quote &- ones) & ~quote
    let hasBackslash = (backslash &- ones) & ~backslash
    let hasControl = (word &- ones &* 0x20) & ~word
    let flags = (hasQuote | hasBackslash | hasControl | word) & highs
    return flags.trailingZeroBitCount &>> 3
}

/// The index just past the UTF-8 sequence whose first (non-ASCII) byte is at `i`, or -1 if
/// the sequence is ill-formed: a stray continuation byte, an overlong form, a UTF-16
/// surrogate (U+D800...U+DFFF), a code point above U+10FFFF, or a truncated sequence.
@inline(__always)
func utf8SequenceEnd(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int) -> Int {
    let lead = p[i]
    if lead < 0xC2 { return -1 }  // continuation byte, or C0/C1 (overlong 2-byte)
    if lead < 0xE0 {
        return i + 1 < end && p[i + 1] & 0xC0 == 0x80 ? i + 2 : -1
    }
    if lead < 0xF0 {
        guard i + 2 < end else { return -1 }
        let second = p[i + 1]
        let low: UInt8 = lead == 0xE0 ? 0xA0 : 0x80  // E0 80..9F would be overlong
        let high: UInt8 = lead == 0xED ? 0x9F : 0xBF  // ED A0..BF would be a surrogate
        return second >= low && second <= high && p[i + 2] & 0xC0 == 0x80 ? i + 3 : -1
    }
    if lead < 0xF5 {
        guard i + 3 < end else { return -1 }
        let second = p[i + 1]
        let low: UInt8 = lead == 0xF0 ? 0x90 : 0x80  // F0 80..8F would be overlong
        let high: UInt8 = lead == 0xF4 ? 0x8F : 0xBF  // F4 90.. would exceed U+10FFFF
        return second >= low && second <= high && p[i + 2] & 0xC0 == 0x80 && p[i + 3] & 0xC0 == 0x80
            ? i + 4 : -1
    }
    return -1
}

/// `p` as the `char *` the Lua API wants.
@inline(__always)
func cchars(_ p: UnsafePointer<UInt8>) -> UnsafePointer<CChar> {
    UnsafeRawPointer(p).assumingMemoryBound(to: CChar.self)
}
