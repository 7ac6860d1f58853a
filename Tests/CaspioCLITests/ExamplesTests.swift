import CaspioTestSupport
import Foundation
import Testing

/// Every script in examples/ runs to success with the built binary against a fake Caspio
/// seeded with the demo tables (`FakeCaspio.demo`), so the docs never rot.
@Suite struct ExamplesTests {
    static let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")

    static let examples: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examplesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".lua") }.sorted()
    }()

    /// Runs an example with `caspio run` in a fresh directory (also its HOME and token cache),
    /// pointed at `fake`.
    static func run(_ name: String, against fake: FakeCaspio) throws -> ProcessResult {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var env = fake.environment(cacheDirectory: directory.path + "/cache")
        env["HOME"] = directory.path
        let script = examplesDirectory.appendingPathComponent(name).path
        return try caspio(["run", script], environment: env, directory: directory)
    }

    /// The demo customers' e-mail addresses, by PK_ID.
    static func emails(_ fake: FakeCaspio) -> [Int: String] {
        var result: [Int: String] = [:]
        for row in fake.tables["Customers"] ?? [] {
            if case .int(let id)? = row["PK_ID"], case .string(let email)? = row["Email"] { result[id] = email }
        }
        return result
    }

    @Test func thereAreExamples() {
        for name in ["json-report.lua", "quickstart.lua", "paging.lua", "crud.lua", "files.lua", "concurrent-update.lua"] {
            #expect(Self.examples.contains(name), "examples/\(name) is missing")
        }
    }

    @Test(arguments: examples)
    func exampleRuns(_ name: String) throws {
        let fake = try FakeCaspio.demo()
        defer { fake.shutdown() }
        // GET tables lists the account's tables, which the fake does not do by itself.
        if name == "quickstart.lua" { fake.script([.json(200, ["Result": fake.tables.keys.sorted()])]) }
        let before = Self.emails(fake)
        let result = try Self.run(name, against: fake)
        #expect(result.status == 0, "\(name) failed:\n\(result.stdout)\n\(result.stderr)")

        switch name {
        case "quickstart.lua":
            let first = fake.resourceRequests.first
            #expect(first?.method == "GET" && first?.path.hasSuffix("/v3/tables") == true)
            #expect(result.stdout.contains("1 tables: Customers\n"))
        case "paging.lua":
            #expect(result.stdout.contains("total\t150\n"), "\(result.stdout)")
        case "crud.lua":
            // It cleans up after itself.
            let after = Self.emails(fake)
            let unchanged = after == before
            #expect(unchanged, "rows added or removed: \(Set(after.keys).symmetricDifference(before.keys).sorted())")
        case "files.lua":
            #expect(fake.files.isEmpty)
            #expect(fake.server.requests.contains { $0.method == "POST" && $0.path.hasSuffix("/v3/files") })
        case "concurrent-update.lua":
            let after = Self.emails(fake)
            let wrong = before.filter { after[$0.key] != $0.value.lowercased() }.keys.sorted()
            #expect(after.count == before.count && wrong.isEmpty, "not lower-cased: \(wrong.prefix(10))")
            #expect(fake.resourceRequests.filter { $0.method == "PUT" }.count == before.count)
        default:
            break
        }
    }

    @Test func everyExampleSaysHowToRunIt() throws {
        for name in Self.examples {
            let text = try String(contentsOf: Self.examplesDirectory.appendingPathComponent(name), encoding: .utf8)
            let head = text.split(separator: "\n").prefix(3).joined(separator: "\n")
            #expect(head.contains("caspio run examples/\(name)") || head.contains("caspio examples/\(name)"), "\(name)")
        }
    }

    @Test func jsonReportPrintsExactNumbers() throws {
        let result = try caspio(["run", Self.examplesDirectory.appendingPathComponent("json-report.lua").path])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "9007199254740993")
        #expect(lines.dropFirst().first == "0.0")
    }
}
