import CaspioClient
import Foundation
import Glibc

/// The file behind `caspio.state`: one JSON object per script. Every write replaces the file
/// atomically (a temporary file, fsync, rename, fsync of the directory), so a crash at any
/// moment leaves the previous contents or the new ones, never a torn file.
public enum StateFile {
    /// `$XDG_STATE_HOME/caspio/state/<script key>.json` (`~/.local/state` when unset).
    public static func defaultPath(
        forScript script: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> String {
        UserDirectories(environment: environment).state + "/state/" + scriptKey(script) + ".json"
    }

    /// A file-name-safe key for a script: its sanitized base name and a stable hash of its
    /// absolute path (FNV-1a, since Swift's Hasher is seeded per process), so that scripts
    /// with the same name in different directories do not share state or locks.
    public static func scriptKey(_ script: String) -> String {
        let absolute = URL(fileURLWithPath: script).standardizedFileURL.path
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in absolute.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let base = (absolute as NSString).lastPathComponent
        let safe = String(base.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == "_" ? $0 : "_" })
        return safe + "-" + String(hash, radix: 16)
    }

    /// The file's bytes, or nil if it does not exist yet.
    static func read(_ path: String) throws(CaspioError) -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CaspioError(.config, "cannot read the state file \(path)")
        }
        return Array(data)
    }

    static func write(_ path: String, _ bytes: [UInt8]) throws(CaspioError) {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        // Unique per process: two runs without --lock must not write into the same temporary file.
        let temporary = "\(path).tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure("cannot create", temporary) }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let error = failure("cannot write", temporary)
                close(fd)
                unlink(temporary)
                throw error
            }
            written += n
        }
        // The data must be on disk before the rename makes it the state, or a power cut
        // could leave the new name pointing at an empty file.
        guard fsync(fd) == 0 else {
            let error = failure("cannot sync", temporary)
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot replace", path)
            unlink(temporary)
            throw error
        }
        let dirfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            fsync(dirfd)
            close(dirfd)
        }
    }

    private static func failure(_ what: String, _ path: String) -> CaspioError {
        CaspioError(.config, "\(what) the state file \(path): \(String(cString: strerror(errno)))")
    }
}

/// caspio.state in this host's file system (the default store).
struct FileState: ScriptStateStore {
    let path: String
    var location: String { path }
    func read() throws(CaspioError) -> [UInt8]? { try StateFile.read(path) }
    func write(_ bytes: [UInt8]) throws(CaspioError) { try StateFile.write(path, bytes) }
}
