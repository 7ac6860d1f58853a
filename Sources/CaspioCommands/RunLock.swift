import CaspioModule
import Foundation
import Glibc

/// The advisory lock that keeps scheduled runs from overlapping. An flock on an open file,
/// not a PID file: the kernel drops it when the process dies, however it dies.
enum RunLock {
    /// Kept open for the life of the process; never closed, since closing would unlock.
    nonisolated(unsafe) private static var heldDescriptor: Int32 = -1

    /// Takes the lock, polling up to `wait` seconds; false if another process still holds it.
    static func acquire(path: String, wait: Double) throws -> Bool {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        // O_CLOEXEC: a child started with os.execute must not inherit (and outlive us with) the lock.
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw LockError("cannot open the lock file \(path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(wait)
        while true {
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                heldDescriptor = fd
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
            usleep(50_000)
        }
    }

    /// `$XDG_RUNTIME_DIR/caspio/locks` (or the cache dir) + the script's name + a hash of its
    /// absolute path, so that two scripts with the same name in different places do not clash.
    static func derivedPath(forScript script: String) -> String {
        let directory = runtimeDirectory() + "/locks"
        return directory + "/" + StateFile.scriptKey(script) + ".lock"
    }

    private static func runtimeDirectory() -> String {
        let environment = ProcessInfo.processInfo.environment
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { return runtime + "/caspio" }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/caspio" }
        return NSHomeDirectory() + "/.cache/caspio"
    }
}

struct LockError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
