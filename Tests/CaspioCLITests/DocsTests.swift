import CaspioTestSupport
import Foundation
import Testing

/// The option tables of docs/lua-api.md and the option classes of docs/caspio.lua are made
/// from the module's one description of its options (options.lua): they must be current.
@Suite struct DocsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func optionDocsAreMadeFromTheModulesDescription() async throws {
        let script = Self.root.appendingPathComponent("scripts/lua-docs.lua").path
        let result = try await caspio(["run", script, "--check"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }
}
