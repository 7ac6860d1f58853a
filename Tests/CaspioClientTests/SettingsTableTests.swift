@testable import CaspioClient
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
        let variables = Setting.all.map(\.variable)
        #expect(Set(variables).count == variables.count)
        let flags = Setting.all.flatMap(\.flags)
        #expect(Set(flags).count == flags.count)
    }

    /// A setting of the command alone (a run's timeout) is read and checked as the client's are:
    /// one parser per type, one wording per layer.
    @Test func aCommandsSettingIsCheckedAsTheClientsAre() throws {
        #expect(try Setting.timeout.resolved(flag: .number(2.5), environment: ["CASPIO_TIMEOUT": "9"]) == .number(2.5))
        #expect(try Setting.timeout.resolved(flag: nil, environment: ["CASPIO_TIMEOUT": " 9 "]) == .number(9))
        #expect(try Setting.timeout.resolved(flag: nil, environment: [:]) == nil)
        #expect(try Setting.lockWait.resolved(flag: nil, environment: ["CASPIO_LOCK_WAIT": ""]) == .number(0))
        #expect(throws: CaspioError.self) { try Setting.timeout.resolved(flag: .number(-1), environment: [:]) }
        do {
            _ = try Setting.timeout.resolved(flag: nil, environment: ["CASPIO_TIMEOUT": "soon"])
            Issue.record("CASPIO_TIMEOUT=soon was taken")
        } catch {
            #expect(error.message == "CASPIO_TIMEOUT='soon' is not a number of seconds, 0 or more")
        }
        // The rate's message names both forms it takes.
        do {
            _ = try Setting.rate.resolved(flag: nil, environment: ["CASPIO_RATE": "automatic"])
            Issue.record("CASPIO_RATE=automatic was taken")
        } catch {
            #expect(error.message == #"CASPIO_RATE='automatic' is not a number of requests per second, e.g. 6, or "auto""#)
        }
        do {
            _ = try Setting.lockWait.resolved(flag: .number(-.infinity), environment: [:])
            Issue.record("--lock-wait -inf was taken")
        } catch {
            #expect(error.message == "--lock-wait = -inf must be a number of seconds, 0 or more")
        }
    }

    /// A size (a response's limit, say) is a type of its own: a setting of it is one entry.
    @Test func aSizeInBytesIsAWholeNumberAboveZero() {
        #expect(SettingType.bytes.parse(" 1024 ") == .integer(1024))
        #expect(SettingType.bytes.parse("64MB") == nil)
        #expect(SettingType.bytes.checked(.integer(64 << 20)) == nil)
        #expect(SettingType.bytes.checked(.integer(1023)) == "must be a whole number of bytes from 1024 to 4294967296, e.g. 67108864 (64 MB)")
        #expect(SettingType.bytes.value(integer: nil, double: 1.5) == nil)
    }
}
