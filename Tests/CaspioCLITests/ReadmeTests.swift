import CaspioTestSupport
import Foundation
import Testing

/// What the README shows of the binary is what the binary says.
@Suite struct ReadmeTests {
    static let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("README.md")

    @Test func theBannersLuaVersionIsTheOneTheBinaryRuns() async throws {
        let version = try await caspio(["--version"])
        #expect(version.status == 0)
        let lua = try #require(version.stdout.firstMatch(of: /\(Lua (5\.\d+\.\d+)\)/)?.1)
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let shown = text.matches(of: /caspio \d+\.\d+\.\d+ \(Lua (5\.\d+\.\d+)\)/).map { String($0.1) }
        #expect(!shown.isEmpty, "the README shows a banner")
        #expect(shown.allSatisfy { $0 == lua }, "README shows Lua \(shown), the binary runs \(lua)")
    }
}
