import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Requests counted across runs: one small file per account, next to the token cache, that
/// every run of every profile on that account appends to.
///
/// Each request is one line, `{"d":DAY,"n":1,"p":PROFILE,"s":SCRIPT}`, appended with a single
/// write(2) while holding an flock on a separate lock file; readers skip a line without its
/// newline (a writer killed mid-line), and the next writer starts on a fresh line. When the
/// file grows past `compactBytes` (and twice its size when it was opened) it is rewritten, one
/// line per (day, profile, script) of the last `keepDays` days, to a temporary file that
/// replaces it by rename: a kill -9 leaves the old file or the new one.
/// Each process keeps the counts in memory and reads only what others appended since.
public final class UsageLedger: Sendable {
    public struct Key: Hashable, Sendable {
        public var day: String
        public var profile: String
        public var script: String
        public init(day: String, profile: String, script: String) {
            self.day = day
            self.profile = profile
            self.script = script
        }
    }

    public let path: String
    let directory: String
    let compactBytes: Int
    /// Days older than this are dropped when the file is compacted (13 months and some).
    static let keepDays = 400

    private struct OpenFile {
        var lockFD: Int32 = -1
        var fd: Int32 = -1
        var inode: ino_t = 0
        var offset: off_t = 0
        /// The size when opened: a compacted file that is still large is not compacted again
        /// until it has doubled.
        var openedSize: off_t = 0
        var counts: [Key: Int] = [:]
        var days: [String: Int] = [:]
        /// The file ends inside a line (its writer died): the next record starts a new line.
        var tornTail = false
    }

    /// Also the in-process lock: flock does not exclude tasks of one process sharing an fd.
    private let file = NIOLockedValueBox(OpenFile())

    /// `HOST-HASH.usage` in `directory`, per account: the scheme, host and port of `baseURL`
    /// (v2 and v3 endpoints of one account share it; client ids do not matter).
    public init(directory: String, baseURL: URL, compactBytes: Int = 256 * 1024) {
        self.directory = directory
        let origin = "\(baseURL.scheme ?? "https")://\(baseURL.host ?? "")\(baseURL.port.map { ":\($0)" } ?? "")"
        let host = String((baseURL.host ?? "account").map { $0.isLetter || $0.isNumber || $0 == "." ? $0 : "_" })
        path = directory + "/" + host + "-" + String(fnv1a64(origin), radix: 16) + ".usage"
        self.compactBytes = compactBytes
    }

    deinit {
        file.withLockedValue { f in
            if f.fd >= 0 { close(f.fd) }
            if f.lockFD >= 0 { close(f.lockFD) }
        }
    }

    /// Counts one request for `key`, unless `check` (given the account's count per day so
    /// far, others' runs included) throws: then nothing is written.
    func record(_ key: Key, check: ([String: Int]) throws(CaspioError) -> Void) throws(CaspioError) {
        try withLockedFile(exclusive: true) { (f: inout OpenFile) throws(CaspioError) in
            try check(f.days)
            let line = try Self.line(key, count: 1)
            let data = f.tornTail ? Data("\n".utf8) + line : line
            guard PrivateFiles.writeAll(f.fd, data) else { throw failure("cannot append to \(path): \(errnoText())") }
            f.offset += off_t(data.count)
            f.tornTail = false
            f.counts[key, default: 0] += 1
            f.days[key.day, default: 0] += 1
            if f.offset > max(off_t(compactBytes), 2 * f.openedSize) { try compact(&f) }
        }
    }

    /// Everything counted so far (for `caspio usage` and the start-of-run warning).
    public func counts() throws(CaspioError) -> [Key: Int] {
        try withLockedFile(exclusive: false) { (f: inout OpenFile) throws(CaspioError) in f.counts }
    }

    /// The account's count per day so far.
    public func days() throws(CaspioError) -> [String: Int] {
        try withLockedFile(exclusive: false) { (f: inout OpenFile) throws(CaspioError) in f.days }
    }

    private func withLockedFile<T>(exclusive: Bool, _ body: (inout OpenFile) throws(CaspioError) -> T) throws(CaspioError) -> T {
        try file.withLockedValue { f -> Result<T, CaspioError> in
            do throws(CaspioError) { return .success(try locked(&f, exclusive: exclusive, body)) } catch { return .failure(error) }
        }.get()
    }

    private func locked<T>(_ f: inout OpenFile, exclusive: Bool, _ body: (inout OpenFile) throws(CaspioError) -> T) throws(CaspioError) -> T {
        // Looking creates nothing: no ledger yet is a ledger of nothing.
        if !exclusive, f.fd < 0, !FileManager.default.fileExists(atPath: path) { return try body(&f) }
        if f.lockFD < 0 {
            do throws(PrivateFiles.Failure) { try PrivateFiles.ensureDirectory(directory, what: "usage ledger") } catch { throw failure(error.message) }
            f.lockFD = open(path + ".lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
            guard f.lockFD >= 0 else { throw failure("cannot open \(path).lock: \(errnoText())") }
        }
        // Held for microseconds by any run, so a blocking flock is fine here.
        var status: Int32
        repeat { status = flock(f.lockFD, exclusive ? LOCK_EX : LOCK_SH) } while status != 0 && errno == EINTR
        guard status == 0 else { throw failure("cannot lock \(path).lock: \(errnoText())") }
        defer { flock(f.lockFD, LOCK_UN) }
        try catchUp(&f)
        return try body(&f)
    }

    /// Opens the file again if it was replaced (compacted by another run), then reads what
    /// was appended since the last look.
    private func catchUp(_ f: inout OpenFile) throws(CaspioError) {
        var info = stat()
        if f.fd < 0 || stat(path, &info) != 0 || info.st_ino != f.inode {
            if f.fd >= 0 { close(f.fd) }
            f = OpenFile(lockFD: f.lockFD)
            f.fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard f.fd >= 0, fstat(f.fd, &info) == 0 else { throw failure("cannot open \(path): \(errnoText())") }
            f.inode = info.st_ino
            f.openedSize = info.st_size
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let got = pread(f.fd, &chunk, chunk.count, f.offset + off_t(bytes.count))
            if got < 0 { if errno == EINTR { continue }; throw failure("cannot read \(path): \(errnoText())") }
            if got == 0 { break }
            bytes += chunk[0..<got]
        }
        guard !bytes.isEmpty else { return }
        f.offset += off_t(bytes.count)
        // A line without its newline is a writer that died mid-line: skipped.
        f.tornTail = bytes.last != UInt8(ascii: "\n")
        for line in bytes.split(separator: UInt8(ascii: "\n")).dropLast(f.tornTail ? 1 : 0) {
            guard let (key, count) = Self.parse(line) else { continue }
            f.counts[key, default: 0] += count
            f.days[key.day, default: 0] += count
        }
    }

    private func compact(_ f: inout OpenFile) throws(CaspioError) {
        var data = Data()
        let oldest = UsageCalendar.day(Date().addingTimeInterval(-Double(Self.keepDays) * 86400))
        for (key, count) in f.counts.filter({ $0.key.day >= oldest }).sorted(by: { ($0.key.day, $0.key.profile, $0.key.script) < ($1.key.day, $1.key.profile, $1.key.script) }) {
            data += try Self.line(key, count: count)
        }
        do throws(PrivateFiles.Failure) { try PrivateFiles.writeAtomically(data, to: path, what: "usage ledger") } catch { throw failure(error.message) }
        close(f.fd)
        f.fd = -1  // reopened (and re-read) on the next use
    }

    static func line(_ key: Key, count: Int) throws(CaspioError) -> Data {
        let object: [String: Any] = ["d": key.day, "p": key.profile, "s": key.script, "n": count]
        guard var data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            throw CaspioError(.config, "cannot encode a usage ledger record")
        }
        data.append(UInt8(ascii: "\n"))
        return data
    }

    static func parse(_ line: ArraySlice<UInt8>) -> (Key, Int)? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
            let day = object["d"] as? String, let count = object["n"] as? Int, count > 0
        else { return nil }
        return (Key(day: day, profile: object["p"] as? String ?? "", script: object["s"] as? String ?? ""), count)
    }

    private func failure(_ message: String) -> CaspioError {
        CaspioError(.config, "usage ledger: \(message) (it lives in the token cache directory: CASPIO_TOKEN_CACHE)")
    }
}
