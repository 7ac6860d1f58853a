/// Follows the bytes the CSV library reads, to know what it does not tell: the line each
/// record starts on, and where the input breaks RFC 4180 (the library reads such input on
/// without a word). It mirrors the library's record boundaries: a record ends at CR, LF or
/// CRLF outside quotes, and a blank line is a record of one empty field.
struct RecordTracker {
    struct Malformed: Equatable {
        var record: Int
        var line: Int
        var message: String
    }

    private enum State { case recordStart, fieldStart, unquoted, quoted, quoteInQuoted }

    let delimiter: UInt8
    private var state = State.recordStart
    private var line = 1
    private var afterCR = false
    private var swallowLF = false
    private var atFileStart = true
    private var bomMatched = 0
    /// Start lines of the records seen and not yet taken, oldest first.
    private var starts: [Int] = []
    private var startsHead = 0
    private var records = 0
    private var quoteOpenedOn = 0
    private(set) var malformed: Malformed?
    /// The library stops at a byte that is not UTF-8 and returns the record so far, which
    /// would read as one with too few fields: the tracker says what it is.
    private var utf8 = UTF8Check()

    init(delimiter: UInt8) { self.delimiter = delimiter }

    mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes {
            if malformed != nil { return }
            feed(byte)
        }
    }

    /// The end of the input: a quote still open is malformed.
    mutating func finish() {
        if malformed == nil, state == .quoted {
            malformed = Malformed(record: records, line: quoteOpenedOn, message: "a quoted field opens on line \(quoteOpenedOn) and is never closed")
        }
    }

    /// The start line of the next record the library returns.
    mutating func takeStart() -> Int {
        guard startsHead < starts.count else { return line }
        let start = starts[startsHead]
        startsHead += 1
        if startsHead > 4096 {
            starts.removeFirst(startsHead)
            startsHead = 0
        }
        return start
    }

    private mutating func feed(_ byte: UInt8) {
        // The library drops a UTF-8 byte order mark before parsing; so does this.
        if atFileStart {
            if byte == Self.bom[bomMatched] {
                bomMatched += 1
                if bomMatched == Self.bom.count { atFileStart = false }
                return
            }
            atFileStart = false
            // A partial mark is content: replay it (none of its bytes is special).
            for _ in 0..<bomMatched { feedContent(0xEF) }
        }
        feedContent(byte)
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    private static let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    private mutating func feedContent(_ byte: UInt8) {
        let isNewline = byte == Self.cr || byte == Self.lf
        // The LF of a CRLF: its line was counted at the CR.
        let crlfTail = byte == Self.lf && afterCR
        afterCR = byte == Self.cr
        if swallowLF {
            swallowLF = false
            if byte == Self.lf { return }
        }
        if state == .recordStart {
            starts.append(line)
            records += 1
            state = .fieldStart
        }
        if !utf8.accepts(byte) {
            fail("not UTF-8 text")
            return
        }
        if isNewline {
            newline(byte)
            if !crlfTail { line += 1 }
            return
        }
        switch state {
        case .recordStart, .fieldStart:
            if byte == Self.quote {
                state = .quoted
                quoteOpenedOn = line
            } else if byte != delimiter {
                state = .unquoted
            }
        case .unquoted:
            if byte == Self.quote {
                fail("a quote inside an unquoted field (quote the whole field and double the quote: \"a \"\"b\"\"\")")
            } else if byte == delimiter {
                state = .fieldStart
            }
        case .quoted:
            if byte == Self.quote { state = .quoteInQuoted }
        case .quoteInQuoted:
            if byte == Self.quote {
                state = .quoted
            } else if byte == delimiter {
                state = .fieldStart
            } else {
                fail("text after a closing quote (a quote inside a quoted field is written twice: \"\")")
            }
        }
    }

    /// CR or LF: inside quotes it is content, elsewhere it ends the record.
    private mutating func newline(_ byte: UInt8) {
        if state == .quoted { return }
        state = .recordStart
        swallowLF = byte == Self.cr
    }

    private mutating func fail(_ message: String) {
        malformed = Malformed(record: records, line: line, message: message)
    }
}

/// Byte-by-byte UTF-8 well-formedness (lead bytes and their continuation bytes).
struct UTF8Check {
    private var pending = 0

    mutating func accepts(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x7F: guard pending == 0 else { return false }
        case 0x80...0xBF:
            guard pending > 0 else { return false }
            pending -= 1
        case 0xC2...0xDF: guard pending == 0 else { return false }; pending = 1
        case 0xE0...0xEF: guard pending == 0 else { return false }; pending = 2
        case 0xF0...0xF4: guard pending == 0 else { return false }; pending = 3
        default: return false
        }
        return true
    }
}
