import Glibc

/// A growable byte buffer on malloc'd memory. The encoder writes into it with unchecked
/// stores after one `reserve`, which is what makes it faster than `[UInt8].append`.
struct ByteBuffer: ~Copyable {
    private(set) var base: UnsafeMutablePointer<UInt8>
    var count = 0
    private(set) var capacity: Int

    init(capacity: Int) {
        self.capacity = max(capacity, 16)
        guard let memory = malloc(self.capacity) else { fatalError("LuaJSON: out of memory") }
        base = memory.assumingMemoryBound(to: UInt8.self)
    }

    deinit { free(base) }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Makes room for `extra` more bytes.
    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if _slowPath(capacity &- count < extra) { grow(extra) }
    }

    @inline(never)
    private mutating func grow(_ extra: Int) {
        let wanted = max(capacity &* 2, count + extra)
        guard let memory = realloc(base, wanted) else { fatalError("LuaJSON: out of memory") }
        base = memory.assumingMemoryBound(to: UInt8.self)
        capacity = wanted
    }

    /// Appends without checking capacity: the caller reserved it.
    @inline(__always)
    mutating func appendUnchecked(_ byte: UInt8) {
        base[count] = byte
        count &+= 1
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        appendUnchecked(byte)
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafePointer<UInt8>, count n: Int) {
        reserve(n)
        memcpy(base + count, bytes, n)
        count &+= n
    }

    mutating func append(_ text: StaticString) {
        append(text.utf8Start, count: text.utf8CodeUnitCount)
    }

    /// Appends `n` copies of `byte` (indentation).
    mutating func append(repeating byte: UInt8, count n: Int) {
        reserve(n)
        memset(base + count, Int32(byte), n)
        count &+= n
    }

    /// Appends a code point (already checked to be a Unicode scalar) as UTF-8.
    mutating func appendUTF8(_ scalar: UInt32) {
        reserve(4)
        switch scalar {
        case 0..<0x80:
            appendUnchecked(UInt8(scalar))
        case 0x80..<0x800:
            appendUnchecked(UInt8(0xC0 | scalar >> 6))
            appendUnchecked(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            appendUnchecked(UInt8(0xE0 | scalar >> 12))
            appendUnchecked(UInt8(0x80 | scalar >> 6 & 0x3F))
            appendUnchecked(UInt8(0x80 | scalar & 0x3F))
        default:
            appendUnchecked(UInt8(0xF0 | scalar >> 18))
            appendUnchecked(UInt8(0x80 | scalar >> 12 & 0x3F))
            appendUnchecked(UInt8(0x80 | scalar >> 6 & 0x3F))
            appendUnchecked(UInt8(0x80 | scalar & 0x3F))
        }
    }
}
