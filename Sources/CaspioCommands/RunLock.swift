import CaspioClient
import CaspioModule
import Foundation
import Glibc

/// The run lock on this host: an flock on an open file, not a PID file, so the kernel drops
/// it when the process dies, however it dies.
struct FileRunLock: RunLockStore {
    let path: String

    /// Kept open for the life of the process; never closed, since closing would unlock.
    nonisolated(unsafe) private static var heldDescriptor: Int32 = -1

    var described: String { "the lock \(path)" }

    /// Takes the lock, polling up to `wait` seconds; false if another process still holds it.
    func acquire(wait: Double) async throws -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // O_CLOEXEC: a child started with os.execute must not inherit (and outlive us with) the lock.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LockError("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(wait)
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                Self.heldDescriptor = fd
                return true
            }
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw LockError("cannot lock \(path): \(reason)")
            }
            if Date() >= deadline {
                close(fd)
                return false
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Removes the lock files earlier versions left in `directory`, each only while this
    /// process holds it (one an older caspio still holds stays), and the directory once empty.
    static func removeRetiredLocks(in directory: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasSuffix(".lock") {
            let path = directory + "/" + name
            let fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
            guard fd >= 0 else { continue }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 { unlink(path) }
            close(fd)
        }
        rmdir(directory)
    }

    /// The user's lock directory + the script's name + a hash of its absolute path, so that
    /// two scripts with the same name in different places do not clash.
    static func derivedPath(forScript script: String, environment: [String: String]) -> String {
        UserDirectories(environment: environment).locks + "/" + StateFile.scriptKey(script) + ".lock"
    }

    /// The lock of `caspio import` and `caspio export` on a table: one per table name.
    static func derivedPath(forTable table: String, environment: [String: String]) -> String {
        let safe = String(table.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
        return UserDirectories(environment: environment).locks + "/table-" + safe + ".lock"
    }
}

struct LockError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
