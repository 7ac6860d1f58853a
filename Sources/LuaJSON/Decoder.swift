import CLua
import CLuaShim
import Glibc

/// Parses JSON text straight onto a Lua stack: each container is created, filled with
/// lua_rawset/lua_rawseti as its members are parsed, and left on the stack as it closes.
/// The parse is a loop with an explicit stack of open containers, not recursion, so any
/// `maxDepth` is safe for the Swift stack; the Lua stack is grown with lua_checkstack.
struct Decoder: ~Copyable {
    let L: OpaquePointer
    let p: UnsafePointer<UInt8>
    let end: Int
    let maxDepth: Int
    /// Stack slots holding the null sentinel and the array metatable, pushed once per parse,
    /// and the slot of the table of keys remembered for reuse (`KeyMemos`), made there when
    /// the first key is remembered: a small document pays for neither.
    let nullSlot: Int32
    let arrayMetaSlot: Int32
    let keysSlot: Int32
    var keysTableMade = false
    var keys = KeyMemos()
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
        /// How many objects have opened at this level, and how many positions of them have a
        /// key memo (filled in order, from the second object: a lone object has no sibling
        /// to share its keys with).
        var objects: Int32 = 0
        var keysMemoised: Int32 = 0
    }

    /// A string's text: in place in the input, or decoded into `scratch` (it had escapes).
    struct StringText {
        var start: Int
        var count: Int
        var decoded: Bool
    }

    static let hintLimit: Int64 = 64

    init(
        _ L: OpaquePointer, _ p: UnsafePointer<UInt8>, _ count: Int, maxDepth: Int,
        nullSlot: Int32, arrayMetaSlot: Int32, keysSlot: Int32
    ) {
        self.L = L
        self.p = p
        self.end = count
        self.maxDepth = maxDepth
        self.nullSlot = nullSlot
        self.arrayMetaSlot = arrayMetaSlot
        self.keysSlot = keysSlot
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
                lua_createtable(L, 0, hint)
                i &+= 1
                skipWhitespace()
                if i < end && p[i] == UInt8(ascii: "}") {
                    i &+= 1
                    closed(at: depth, objectSize: 0)
                    break
                }
                push(depth, counter)
                levels[depth].objects &+= 1
                depth &+= 1
                counter = 0
                try parseKey(level: depth &- 1, position: 0)
                continue nextValue
            case UInt8(ascii: "["):
                let hint = try open(depth)?.arrayHint ?? 0
                lua_createtable(L, hint, 0)
                lua_pushvalue(L, arrayMetaSlot)
                lua_setmetatable(L, -2)
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
                lua_pushboolean(L, 1)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                lua_pushboolean(L, 0)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                lua_pushvalue(L, nullSlot)
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
                    lua_rawseti(L, -2, counter)
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
                    lua_rawset(L, -3)
                    counter &-= 1
                    if i < end && p[i] == UInt8(ascii: ",") {
                        i &+= 1
                        skipWhitespace()
                        try parseKey(level: depth &- 1, position: Int(-counter))
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
        // Room for this container, a key and a value (or the key's copy for the memo), and the
        // table of keys should this container be the one that makes it.
        if lua_checkstack(L, 4) == 0 { throw fail("nesting too deep for the Lua stack") }
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
        levels[depth].objectHint = Int32(min(objectSize, Decoder.hintLimit))
    }

    private mutating func closed(at depth: Int, arraySize: Int64) {
        if depth == levels.count { levels.append(Level()) }
        levels[depth].arrayHint = Int32(min(arraySize, Decoder.hintLimit))
    }

    /// Parses `"key" :` and pushes the key, the member at `position` of an object at
    /// `level`; leaves `i` at the member's value.
    private mutating func parseKey(level: Int, position: Int) throws(JSONError) {
        guard i < end && p[i] == UInt8(ascii: "\"") else { throw fail("expected string key") }
        i &+= 1
        let text = try scanString()
        pushKey(text, level: level, position: position)
        skipWhitespace()
        guard i < end && p[i] == UInt8(ascii: ":") else { throw fail("expected ':' after object key") }
        i &+= 1
        skipWhitespace()
    }

    @inline(__always)
    private mutating func pushKey(_ text: StringText, level: Int, position: Int) {
        let memoised = Int(levels[level].keysMemoised)
        // A key with escapes is made as any string is: it is rare, and its text is not in place.
        guard !text.decoded, position <= memoised, levels[level].objects > 1,
            let entry = keys.entry(level: level, position: position)
        else {
            return push(text)
        }
        if position < memoised {
            if entry.pointee.count == text.count && memcmp(p + entry.pointee.start, p + text.start, text.count) == 0 {
                lua_rawgeti(L, keysSlot, entry.pointee.index)
                return
            }
        } else {
            if !keysTableMade {
                // Below the containers open on the stack, which are reached by negative indices.
                lua_createtable(L, 16, 0)
                lua_rotate(L, keysSlot, 1)
                keysTableMade = true
            }
            entry.pointee.index = keys.takeIndex()
            levels[level].keysMemoised = Int32(memoised &+ 1)
        }
        entry.pointee.start = text.start
        entry.pointee.count = text.count
        push(text)
        lua_pushvalue(L, -1)
        lua_rawseti(L, keysSlot, entry.pointee.index)
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
