import CaspioClient
import Foundation
import Testing

/// What Swift knows and tells the Lua half is not written again in Lua.
@Suite struct ContractPlacesTests {
    static func luaChunks() throws -> [(file: String, text: String)] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/CaspioModule/Lua").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }
        #expect(files.contains("upsert.lua") && files.contains("dialect.lua"))
        return try files.map { ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test func theURILimitIsKnownOnlyToSwift() throws {
        for (file, text) in try Self.luaChunks() {
            #expect(!text.contains(String(RequestTarget.maxURILength)), "\(file) repeats the URI limit: read internal.max_uri_length")
        }
    }

    /// ClientConfiguration.apiVersion reads the version from the base URL; Lua asks it.
    @Test func theBaseURLsVersionIsReadOnlyBySwift() throws {
        for (file, text) in try Self.luaChunks() {
            for rule in ["/v4", "/v2", "v4/?$"] {
                #expect(!text.contains(rule), "\(file) reads the base URL's version itself ('\(rule)'): ask native.api_version")
            }
        }
    }
}
