import CSV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
import Glibc
#endif

/// A CSV output: to a path (written beside it under a temporary name and renamed over it
/// by close, so that a reader never sees half a file) or to a file the script opened.
final class CSVRowWriter {
    let fields: [String]
    private var file: UnsafeMutablePointer<FILE>?
    private let owned: Bool
    private let target: String?
    private let temporary: String?
    private let stream: FileOutputStream
    private let writer: CSVWriter
    private let newline: String
    private var wroteAny = false

    init(path: String?, file: UnsafeMutablePointer<FILE>?, fields: [String], delimiter: String, crlf: Bool) throws(CSVInputError) {
        self.fields = fields
        newline = crlf ? "\r\n" : "\n"
        if let path {
            Self.removeStaleTemporaries(beside: path)
            let temp = Self.temporaryPath(beside: path)
            guard let opened = fopen(temp, "wb") else {
                throw CSVInputError(message: "cannot write \(path): \(String(cString: strerror(errno)))", line: 0)
            }
            self.file = opened
            owned = true
            target = path
            temporary = temp
        } else {
            self.file = file
            owned = false
            target = nil
            temporary = nil
        }
        stream = FileOutputStream(self.file!)
        do {
            writer = try CSVWriter(stream: stream, delimiter: delimiter, newline: crlf ? .crlf : .lf)
        } catch {
            throw CSVInputError(message: "cannot write: \(error)", line: 0)
        }
    }

    /// Where a file for `path` is written before it is renamed into place: beside it (the
    /// same file system), hidden, and this process's own (two writers never share one).
    static func temporaryPath(beside path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).tmp").path
    }

    /// Temporary files of writers to `path` that were killed before they could rename or
    /// remove them (`.NAME.PID.tmp` of a PID no longer running): a later run removes them.
    static func removeStaleTemporaries(beside path: String) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent)."
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix) && name.hasSuffix(".tmp") {
            guard let pid = pid_t(name.dropFirst(prefix.count).dropLast(4)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { unlink(directory + "/" + name) }
        }
    }

    var isOpen: Bool { file != nil }

    func write(_ values: [String]) throws(CSVInputError) {
        do {
            // One empty field alone would be a blank line, which readers skip.
            try writer.write(row: values, quotedAtIndex: { _ in values.count == 1 && values[0].isEmpty })
        } catch {
            // The library says only that a write failed; errno says why.
            throw stream.failed ? failure() : CSVInputError(message: "cannot write: \(error)", line: 0)
        }
        wroteAny = true
        if stream.failed { throw failure() }
    }

    /// Ends the last line, flushes, and puts the file in place.
    func close() throws(CSVInputError) {
        guard let file else { return }
        if wroteAny { fputs(newline, file) }
        let flushed = fflush(file) == 0 && !stream.failed
        stream.close()
        self.file = nil
        if owned {
            let closed = fclose(file) == 0
            guard flushed, closed, let temporary, let target, rename(temporary, target) == 0 else {
                let problem = failure()
                if let temporary { unlink(temporary) }
                throw problem
            }
        } else if !flushed {
            throw failure()
        }
    }

    /// Stops without putting anything in place (an export that failed).
    func abandon() {
        guard let file else { return }
        stream.close()
        self.file = nil
        if owned {
            fclose(file)
            if let temporary { unlink(temporary) }
        }
    }

    private func failure() -> CSVInputError {
        CSVInputError(message: "cannot write \(target ?? "the file"): \(String(cString: strerror(errno)))", line: 0)
    }

    deinit { abandon() }
}
