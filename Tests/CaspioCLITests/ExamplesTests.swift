import CaspioTestSupport
import Foundation
import Testing

/// Every script in examples/ runs to success, so the docs never rot.
@Suite struct ExamplesTests {
    static let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")

    static let examples: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examplesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".lua") }.sorted()
    }()

    @Test func thereAreExamples() {
        #expect(!Self.examples.isEmpty)
    }

    @Test(arguments: examples)
    func exampleRuns(_ name: String) throws {
        let result = try caspio(["run", Self.examplesDirectory.appendingPathComponent(name).path])
        #expect(result.status == 0, "\(name) failed:\n\(result.stderr)")
    }

    @Test func jsonReportPrintsExactNumbers() throws {
        let result = try caspio(["run", Self.examplesDirectory.appendingPathComponent("json-report.lua").path])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "9007199254740993")
        #expect(lines.dropFirst().first == "0.0")
    }
}
