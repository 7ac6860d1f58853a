/// The keys of the last object read at each nesting level, by position: where each one's text
/// is in the input, and at which index of the decoder's key table its Lua string is kept.
/// Records in a page repeat their keys in the same order, so a key that has the bytes of the
/// one before it at its position is pushed from that table instead of hashed and interned
/// again (interning was a third of the Lua thread's work reading pages).
/// Flat storage: no reference counting or uniqueness checks on the decoder's hot path.
struct KeyMemos: ~Copyable {
    /// Objects nested deeper, and members past this many, are not memoised.
    static let levels = 8
    static let positions = 128

    struct Entry {
        var start: Int
        var count: Int
        var index: Int64
    }

    private var entries: UnsafeMutablePointer<Entry>?
    /// The next free index in the key table.
    private(set) var nextIndex: Int64 = 1

    init() {}

    deinit { entries?.deallocate() }

    /// Where the memo of `position` of an object at `level` is (filled or not), or nil past
    /// the limits. The storage is made on the first key of a decode that has objects.
    @inline(__always)
    mutating func entry(level: Int, position: Int) -> UnsafeMutablePointer<Entry>? {
        guard level < Self.levels, position < Self.positions else { return nil }
        if entries == nil { entries = .allocate(capacity: Self.levels * Self.positions) }
        return entries.unsafelyUnwrapped + (level &* Self.positions &+ position)
    }

    /// A new index in the key table for a new entry.
    @inline(__always)
    mutating func takeIndex() -> Int64 {
        defer { nextIndex &+= 1 }
        return nextIndex
    }
}
