import Foundation
import Testing

@testable import CaspioClient

/// A token cache directory that is a symbolic link, or someone else's, is refused: whoever
/// controls it could read the tokens or point the cache elsewhere.
@Suite struct CacheDirectoryTests {
    static func cache(_ directory: String) -> TokenCache {
        TokenCache(directory: directory, tokenURL: "https://c1abc123.caspio.com/oauth/token", clientID: "id", warn: { _ in })
    }

    @Test func aSymbolicLinkIsRefused() async throws {
        let real = temporaryPath("real")
        let link = temporaryPath("link")
        try FileManager.default.createDirectory(atPath: real, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: real)
        let error = await #expect(throws: CaspioError.self) { try await Self.cache(link).withLock { 1 } }
        #expect(error?.message.contains("is a symbolic link") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: real).isEmpty, "nothing written through the link")
    }

    @Test func aDirectoryOfAnotherUserIsRefused() async throws {
        let directory = temporaryPath("theirs")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let other: uid_t = geteuid() == 65534 ? 65533 : 65534
        guard chown(directory, other, other) == 0 else {
            // Only root can give a directory away; unprivileged runs check the same code on the symlink.
            return
        }
        let error = await #expect(throws: CaspioError.self) { try await Self.cache(directory).withLock { 1 } }
        #expect(error?.message.contains("belongs to another user") == true, "\(String(describing: error))")
    }

    @Test func aCachedTokenFileThatIsALinkIsNotRead() throws {
        let directory = temporaryPath("cache")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let cache = Self.cache(directory)
        let target = directory + "/elsewhere.json"
        try Data("{}".utf8).write(to: URL(fileURLWithPath: target))
        try FileManager.default.createSymbolicLink(atPath: cache.filePath, withDestinationPath: target)
        #expect(PrivateFiles.read(cache.filePath) == nil)
        #expect(PrivateFiles.read(target) == Data("{}".utf8))
    }
}
