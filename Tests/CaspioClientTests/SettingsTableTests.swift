import CaspioClient
import Foundation
import Testing

/// The settings table of docs/lua-api.md is made from the one description of the settings
/// (`Setting.all`): it must be current.
@Suite struct SettingsTableTests {
    static let marker = "<!-- settings: made from Setting.all, Sources/CaspioClient/Configuration/Settings.swift -->"

    /// With CASPIO_UPDATE_DOCS=1 the test writes the table into docs/lua-api.md instead.
    @Test func theDocsTableIsMadeFromTheSettings() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = root.appendingPathComponent("docs/lua-api.md")
        let docs = try String(contentsOf: file, encoding: .utf8)
        let start = try #require(docs.range(of: Self.marker + "\n"), "docs/lua-api.md lacks the marker \(Self.marker)")
        let end = docs.range(of: "\n\n", range: start.upperBound..<docs.endIndex)?.lowerBound ?? docs.endIndex
        let table = String(docs[start.upperBound..<end]) + "\n"
        if ProcessInfo.processInfo.environment["CASPIO_UPDATE_DOCS"] == "1" {
            let updated = docs.replacingCharacters(in: start.upperBound..<end, with: Setting.markdownTable.dropLast())
            try updated.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        #expect(table == Setting.markdownTable, "docs/lua-api.md's settings table is not Setting.all's: run this test with CASPIO_UPDATE_DOCS=1")
    }

    /// Every profile key is one setting's, and every variable too.
    @Test func eachSpellingNamesOneSetting() {
        let keys = Setting.all.flatMap(\.profileKeys)
        #expect(Set(keys).count == keys.count)
        let variables = Setting.all.compactMap(\.variable)
        #expect(Set(variables).count == variables.count)
        let flags = Setting.all.flatMap(\.flags)
        #expect(Set(flags).count == flags.count)
    }
}
