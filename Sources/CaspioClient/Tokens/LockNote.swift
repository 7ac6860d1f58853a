import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What the last holder of the token cache lock says in the lock file when its token request
/// found no endpoint (a timeout, a network failure): processes that queued behind it fail at
/// once instead of each waiting out the same hung endpoint in turn.
enum LockNote {
    /// Failures that say the endpoint is not answering, not that this client is refused.
    static func notes(_ error: Error) -> Bool {
        guard let error = error as? CaspioError else { return false }
        return error.kind == .timeout || error.kind == .network
    }

    /// Writes "unreachable SECONDS" (the time) into the lock file, or empties it.
    static func write(_ fd: Int32, unreachableAt time: Date?) {
        let text = time.map { "unreachable \(Int($0.timeIntervalSince1970))\n" } ?? ""
        ftruncate(fd, 0)
        _ = text.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    /// When the lock's last holder found the endpoint unreachable, if it says so.
    static func unreachableSince(_ fd: Int32) -> Date? {
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[..<n], as: UTF8.self)
        guard text.hasPrefix("unreachable "),
            let seconds = Double(text.dropFirst(12).trimmingCharacters(in: .whitespacesAndNewlines))
        else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }
}
