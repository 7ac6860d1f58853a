import CSV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// One CSV input read record by record (the library parses, the tracker numbers lines):
/// blank lines skipped, the header checked, every record the header's width.
final class CSVRowReader {
    enum Row {
        case fields([String], line: Int)
        case end
        case bad(String, line: Int)
    }

    private let stream: TrackingInputStream
    private let reader: CSVReader
    private var returned = 0
    private(set) var header: [String]?
    private var done = false

    init(_ source: ByteSource, delimiter: UInt8, header: Bool) throws {
        stream = TrackingInputStream(source, delimiter: delimiter)
        reader = try CSVReader(stream: stream, hasHeaderRow: false, delimiter: UnicodeScalar(delimiter))
        if header {
            switch nextRecord() {
            case .fields(let names, let line):
                if let problem = Self.problem(inHeader: names) { throw CSVInputError(message: problem, line: line) }
                self.header = names
            case .bad(let message, let line): throw CSVInputError(message: message, line: line)
            case .end: self.header = []
            }
        }
    }

    func next() -> Row {
        let row = nextRecord()
        guard case .fields(let fields, let line) = row, let header, fields.count != header.count else { return row }
        done = true
        return .bad("\(fields.count) field\(fields.count == 1 ? "" : "s") where the header has \(header.count)", line: line)
    }

    /// The next non-blank record, as the library parsed it.
    private func nextRecord() -> Row {
        while !done {
            let fields = reader.next()
            if fields != nil { returned += 1 }
            if let malformed = stream.tracker.malformed, returned >= malformed.record || fields == nil {
                done = true
                return .bad(malformed.message, line: malformed.line)
            }
            guard let fields else {
                done = true
                if let failure = stream.failure { return .bad("cannot read: \(failure)", line: stream.tracker.takeStart()) }
                // The library also reports the end of the input as an error: only decoding counts.
                if case .unicodeDecoding? = reader.error as? CSVError { return .bad("not UTF-8 text", line: stream.tracker.takeStart()) }
                return .end
            }
            let line = stream.tracker.takeStart()
            if fields.count == 1, fields[0].isEmpty { continue }
            return .fields(fields, line: line)
        }
        return .end
    }

    private static func problem(inHeader names: [String]) -> String? {
        var seen: Set<String> = []
        for (index, name) in names.enumerated() {
            if name.isEmpty { return "column \(index + 1) of the header has no name" }
            if !seen.insert(name).inserted { return "the header names '\(name)' twice" }
        }
        return nil
    }

    func close() { stream.close() }
}

struct CSVInputError: Error {
    var message: String
    var line: Int
}
