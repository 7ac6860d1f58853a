
/// The largest size hint passed on from one container to its next sibling.
private let hintLimit: Int64 = 64

/// Parses JSON text into a sink, as stack operations: each container is opened, filled
/// (`element`/`member` store the value on top into it) as its members are parsed, and left
/// on top as it closes. The Lua sink makes them on a Lua stack; the tape sink records them
/// to be replayed there later (`DecodedJSON`), so that one parser decides what JSON is.
/// The parse is a loop with an explicit stack of open containers, not recursion, so any
/// `maxDepth` is safe for the Swift stack.
struct Decoder<Sink: JSONSink>: ~Copyable {
    var sink: Sink
    let p: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    /// Read position (0-based).
    var i = 0
    /// Decoded bytes of strings with escapes, and NUL-terminated copies of hard numbers.
    var scratch = ByteBuffer(capacity: 256)
    /// One entry per nesting level, kept after the level closes so siblings can reuse it.
    var levels: [Level] = []

    struct Level {
        /// The enclosing container's member counter while this level is open.
        var savedCounter: Int64 = 0
        /// Sizes of the last object and array closed at this level: records in a page tend
        /// to have the same shape, so presizing the next one saves Lua's rehash steps.
        var objectHint: Int32 = 0
        var arrayHint: Int32 = 0
    }


    init(_ sink: consuming Sink, _ p: UnsafePointer<UInt8>, _ count: Int, maxDepth: Int) {
        self.sink = sink
        self.p = p
        self.end = count
        self.maxDepth = maxDepth
    }

    /// Parses the whole text: one value with optional whitespace around it.
    mutating func parseDocument() throws(JSONError) {
        skipWhitespace()
        try parseValue()
        skipWhitespace()
        if i < end { throw fail("unexpected data after the JSON value") }
    }

    // `counter` describes the innermost open container: > 0 is an array and the index its
    // next element gets; <= 0 is an object and minus the number of members so far.
    private mutating func parseValue() throws(JSONError) {
        var depth = 0
        var counter: Int64 = 0
        nextValue: while true {
            guard i < end else { throw fail("expected value") }
            switch p[i] {
            case UInt8(ascii: "\""):
                i &+= 1
                try parseString()
            case UInt8(ascii: "{"):
                let hint = try open(depth)?.objectHint ?? 0
                sink.object(hint: hint)
                i &+= 1
                skipWhitespace()
                if i < end && p[i] == UInt8(ascii: "}") {
                    i &+= 1
                    closed(at: depth, objectSize: 0)
                    break
                }
                push(depth, counter)
                depth &+= 1
                counter = 0
                try parseKey()
                continue nextValue
            case UInt8(ascii: "["):
                let hint = try open(depth)?.arrayHint ?? 0
                sink.array(hint: hint)
                i &+= 1
                skipWhitespace()
                if i < end && p[i] == UInt8(ascii: "]") {
                    i &+= 1
                    closed(at: depth, arraySize: 0)
                    break
                }
                push(depth, counter)
                depth &+= 1
                counter = 1
                continue nextValue
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                sink.boolean(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                sink.boolean(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                sink.null()
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                try parseNumber()
            default:
                throw fail("expected value")
            }

            // A complete value is on top of the stack: store it in its container, then
            // either go on to the next member or close the container (which completes it).
            while depth > 0 {
                skipWhitespace()
                if counter > 0 {
                    sink.element(counter)
                    counter &+= 1
                    if i < end && p[i] == UInt8(ascii: ",") {
                        i &+= 1
                        skipWhitespace()
                        continue nextValue
                    }
                    guard i < end && p[i] == UInt8(ascii: "]") else {
                        throw fail("expected ',' or ']' after array element")
                    }
                    i &+= 1
                    depth &-= 1
                    closed(at: depth, arraySize: counter &- 1)
                } else {
                    sink.member()
                    counter &-= 1
                    if i < end && p[i] == UInt8(ascii: ",") {
                        i &+= 1
                        skipWhitespace()
                        try parseKey()
                        continue nextValue
                    }
                    guard i < end && p[i] == UInt8(ascii: "}") else {
                        throw fail("expected ',' or '}' after object member")
                    }
                    i &+= 1
                    depth &-= 1
                    closed(at: depth, objectSize: -counter)
                }
                counter = levels[depth].savedCounter
            }
            return
        }
    }

    /// Checks that a container may open at `depth` (0 = top level) and returns the level's
    /// size hints, if it has been seen before.
    @inline(__always)
    private mutating func open(_ depth: Int) throws(JSONError) -> Level? {
        if depth >= maxDepth { throw fail("nesting deeper than \(maxDepth) levels") }
        // Room for this container, a key and a value.
        if !sink.room() { throw fail("nesting too deep for the Lua stack") }
        return depth < levels.count ? levels[depth] : nil
    }

    /// Remembers the enclosing container's counter while the new one at `depth` is open.
    @inline(__always)
    private mutating func push(_ depth: Int, _ counter: Int64) {
        if depth == levels.count { levels.append(Level()) }
        levels[depth].savedCounter = counter
    }

    private mutating func closed(at depth: Int, objectSize: Int64) {
        if depth == levels.count { levels.append(Level()) }
        levels[depth].objectHint = Int32(min(objectSize, hintLimit))
    }

    private mutating func closed(at depth: Int, arraySize: Int64) {
        if depth == levels.count { levels.append(Level()) }
        levels[depth].arrayHint = Int32(min(arraySize, hintLimit))
    }

    /// Parses `"key" :` and pushes the key; leaves `i` at the member's value.
    private mutating func parseKey() throws(JSONError) {
        guard i < end && p[i] == UInt8(ascii: "\"") else { throw fail("expected string key") }
        i &+= 1
        try parseString()
        skipWhitespace()
        guard i < end && p[i] == UInt8(ascii: ":") else { throw fail("expected ':' after object key") }
        i &+= 1
        skipWhitespace()
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONError) {
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        var k = 0
        while k < n {
            guard i + k < end && p[i + k] == w[k] else {
                throw fail("invalid literal (expected '\(word)')", at: i + k)
            }
            k &+= 1
        }
        i &+= n
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < end {
            let c = p[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i &+= 1
        }
    }

    /// An error at the read position (or at 0-based `position`).
    func fail(_ message: String, at position: Int? = nil) -> JSONError {
        let position = position ?? i
        if position >= end { return JSONError(message: message + " but found end of input", offset: end + 1) }
        return JSONError(message: message, offset: position + 1)
    }
}
