import CLuaShim
import Foundation
import Glibc

/// --quiet: cron mails whatever a job prints, so a successful run must print nothing. The
/// process's stdout and stderr go to unlinked temporary files; when the run fails, what was
/// captured is replayed to the real stdout and stderr (in that order) before the error.
enum QuietOutput {
    nonisolated(unsafe) private static var saved: (out: Int32, err: Int32, outFile: Int32, errFile: Int32)?

    static func begin() {
        caspio_flush_stdout()
        guard let outFile = anonymousFile(), let errFile = anonymousFile() else { return }
        let out = dup(STDOUT_FILENO), err = dup(STDERR_FILENO)
        guard out >= 0, err >= 0 else { return }
        dup2(outFile, STDOUT_FILENO)
        dup2(errFile, STDERR_FILENO)
        saved = (out, err, outFile, errFile)
    }

    /// Restores the real stdout and stderr; replays the captured output if the run failed.
    static func end(failed: Bool) {
        guard let s = saved else { return }
        saved = nil
        caspio_write_stderr(nil, 0)  // flushes both C streams into the capture files
        dup2(s.out, STDOUT_FILENO)
        dup2(s.err, STDERR_FILENO)
        if failed {
            copy(s.outFile, to: STDOUT_FILENO)
            copy(s.errFile, to: STDERR_FILENO)
        }
        for fd in [s.out, s.err, s.outFile, s.errFile] { close(fd) }
    }

    private static func anonymousFile() -> Int32? {
        var template = Array((NSTemporaryDirectory() + "/caspio-quiet-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { return nil }
        unlink(String(cString: template))
        return fd
    }

    private static func copy(_ from: Int32, to: Int32) {
        lseek(from, 0, SEEK_SET)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(from, &buffer, buffer.count)
            if n <= 0 { break }
            var written = 0
            while written < n {
                let w = buffer.withUnsafeBytes { write(to, $0.baseAddress! + written, n - written) }
                if w <= 0 { return }
                written += w
            }
        }
    }
}
