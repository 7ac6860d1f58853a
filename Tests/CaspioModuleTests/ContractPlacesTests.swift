import CaspioClient
import Foundation
import Testing

/// What Swift knows and tells the Lua half is not written again in Lua.
@Suite struct ContractPlacesTests {
    @Test func theURILimitIsKnownOnlyToSwift() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/CaspioModule/Lua").standardized
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".lua") }
        #expect(files.contains("upsert.lua"))
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains(String(RequestTarget.maxURILength)), "\(file) repeats the URI limit: read internal.max_uri_length")
        }
    }
}
