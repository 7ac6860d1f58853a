@testable import CaspioSandbox
import Testing

/// The small parsers: durations of the command line, and the fragment checks on clauses.
@Suite struct ParsingTests {
    @Test func durations() {
        #expect(SandboxSettings.duration("5s") == 5)
        #expect(SandboxSettings.duration("10m") == 600)
        #expect(SandboxSettings.duration("2h") == 7200)
        #expect(SandboxSettings.duration("1d") == 86400)
        #expect(SandboxSettings.duration("500ms") == 0.5)
        #expect(SandboxSettings.duration("30") == 30)
        for bad in ["", "s", "-5s", "0", "soon", "5 s"] { #expect(SandboxSettings.duration(bad) == nil, "\(bad)") }
    }

    @Test func fragments() {
        for good in ["Name LIKE 'A%' AND PK_ID > 30", "Name = 'a;b -- /* c'", "Name = 'O''Neil'", "(A = 1 OR (B = 2))"] {
            #expect(throws: Never.self, "\(good)") { try SQLText.checkFragment(good, parameter: "q.where") }
        }
        for bad in ["1=1; DROP TABLE T", "1=1 -- x", "1=1 /* x */", "Name = 'x", "(1=1", "1=1)", "1) OR (1"] {
            #expect(throws: StoreError.self, "\(bad)") { try SQLText.checkFragment(bad, parameter: "q.where") }
        }
    }

    @Test func identifiers() {
        for good in ["Customers", "_x", "Table_2", "Ümlaut"] { #expect(SQLText.isIdentifier(good), "\(good)") }
        for bad in ["", "2x", "a b", "a\"b", "a;b", "a-b", String(repeating: "a", count: 65)] { #expect(!SQLText.isIdentifier(bad), "\(bad)") }
    }
}
