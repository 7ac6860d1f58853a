import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Files only their owner may read (tokens, the usage ledger): 0600 in 0700 directories,
/// replaced atomically. Failures are messages for the caller to put in its own words.
enum PrivateFiles {
    struct Failure: Error { let message: String }

    /// Creates `directory` (0700) if needed and tightens one someone made wider. One that is a
    /// symbolic link or belongs to another user is refused: in a shared place, whoever made
    /// it could read what is written there or point it elsewhere.
    static func ensureDirectory(_ directory: String, what: String) throws(Failure) {
        var link = stat()
        if lstat(directory, &link) == 0 {
            if link.st_mode & S_IFMT == S_IFLNK {
                throw Failure(message: "the \(what) directory \(directory) is a symbolic link; give the real directory")
            }
            if link.st_uid != geteuid() {
                throw Failure(message: "the \(what) directory \(directory) belongs to another user (uid \(link.st_uid)); use a directory of your own")
            }
        }
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw Failure(message: "cannot create the \(what) directory \(directory): \(error.localizedDescription)")
            }
        } else if !isDirectory.boolValue {
            throw Failure(message: "the \(what) path \(directory) is not a directory")
        }
        var info = stat()
        if stat(directory, &info) == 0, info.st_mode & 0o077 != 0, info.st_uid == getuid() {
            chmod(directory, 0o700)
        }
    }

    /// A temporary file, fsync, rename, fsync of the directory: readers see the old file or
    /// the new one, never a torn one, whenever the writer dies. The file is created with
    /// `mode` (a config file keeps the mode it had), never readable by others in between.
    static func writeAtomically(_ data: Data, to path: String, what: String, mode: mode_t = 0o600) throws(Failure) {
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 0o600)
        guard fd >= 0 else { throw Failure(message: "cannot write the \(what) \(temporary): \(errnoText())") }
        var ok = writeAll(fd, data)
        ok = ok && fchmod(fd, mode) == 0 && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw Failure(message: "cannot write the \(what) \(path): \(reason)")
        }
        let directoryFD = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// A file's contents, nil if it cannot be read; a symbolic link is not followed.
    static func read(_ path: String) -> Data? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? data : nil }
            data.append(contentsOf: buffer[..<n])
        }
    }

    /// One write of all of `data` (again after EINTR or a short write).
    static func writeAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; return false }
                offset += written
            }
            return true
        }
    }
}
