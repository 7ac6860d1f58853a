import AsyncHTTPClient
import Foundation
import NIOCore

/// Streams a response body to disk: chunks go to a temporary file beside the target, which
/// replaces the target only once complete, so a failed download never leaves half a file.
enum FileDownload {
    static func write(_ body: HTTPClientResponse.Body, to path: String) async throws -> Int {
        let temporary = path + ".part-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw CaspioError(.config, "cannot create \(temporary): \(errnoText())")
        }
        guard let handle = FileHandle(forWritingAtPath: temporary) else {
            throw CaspioError(.config, "cannot write \(temporary)")
        }
        var written = 0
        do {
            for try await chunk in body {
                try chunk.withUnsafeReadableBytes { try handle.write(contentsOf: $0) }
                written += chunk.readableBytes
            }
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw CaspioError(.config, "cannot move the download to \(path): \(reason)")
        }
        return written
    }
}
