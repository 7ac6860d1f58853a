import CaspioTestSupport
import Foundation
import Testing

/// Every script in examples/ runs to success as `caspio run --sandbox examples/NAME.lua`:
/// the built binary against its embedded sandbox and the demo data, as a new user runs them,
/// so the docs never rot.
@Suite struct ExamplesTests {
    static let examplesDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples")

    static let examples: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examplesDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".lua") }.sorted()
    }()

    /// Runs an example with `caspio run --sandbox` in a fresh directory (also its HOME), with
    /// no CASPIO_* settings of the caller leaking in.
    static func run(_ name: String) throws -> ProcessResult {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        return try caspioInSandbox(script: examplesDirectory.appendingPathComponent(name).path, directory: directory)
    }

    @Test func thereAreExamples() {
        for name in ["json-report.lua", "quickstart.lua", "paging.lua", "crud.lua", "files.lua", "concurrent-update.lua", "nightly-export.lua",
                     "views-and-attachments.lua", "users.lua", "webhooks.lua", "tasks.lua", "import-contacts.lua"] {
            #expect(Self.examples.contains(name), "examples/\(name) is missing")
        }
    }

    /// What each example prints about the demo data, which is deterministic.
    static let expected: [String: [String]] = [
        "quickstart.lua": ["5 tables: Customers, Documents, Orders, Products, Staff\n", "1\tCustomer 001\tCustomer001@Example.COM\n", "50 customers in CA\n", "as expected: HTTP 404 ObjectNotFound"],
        "paging.lua": ["CA\t50\n", "total\t150\n", "latest\t248\tCustomer 248\n"],
        "crud.lua": ["inserted\t251\tAda Lovelace\n", "deleted 3; back to 250 rows\n"],
        "files.lua": ["downloaded 182 bytes, identical\n"],
        "concurrent-update.lua": ["250 addresses to lower-case\n", "(250 writes)"],
        "nightly-export.lua": ["250 rows -> "],
        "views-and-attachments.lua": ["50 customers in NY; the first by name is Customer 002\n", "a join refuses writes:\t403\n", "downloaded\tada.txt\n",
                                      "attachment\t2\tben-2024.txt\t14\n", "deleted\t1\n"],
        "users.lua": ["added 3, activated 3, deactivated 1\n"],
        "webhooks.lua": ["delivered\ttable.recordInsert\tProducts\tExample glue\n"],
        "tasks.lua": ["ran\tExport customers\n", "exported customers.csv, "],
        "import-contacts.lua": ["2 inserted, 2 updated, 0 unchanged\n", "again: 0 inserted, 0 updated, 4 unchanged\n"],
        "mirror.lua": ["Customers: copied: 250 inserted, 0 updated, 0 deleted", "Customers: read in full (no cursor): 0 inserted, 1 updated, 0 deleted",
                       "Orders: read in full (no cursor): 0 inserted, 0 updated, 1 deleted", "Staff: changes since ",
                       ": 0 inserted, 1 updated, 0 deleted"],
    ]

    @Test(arguments: examples)
    func exampleRuns(_ name: String) throws {
        let result = try Self.run(name)
        #expect(result.status == 0, "\(name) failed:\n\(result.stdout)\n\(result.stderr)")
        for text in Self.expected[name] ?? [] {
            #expect(result.stdout.contains(text), "\(name) did not print \(text.debugDescription):\n\(result.stdout)")
        }
    }

    /// Scripts do not change with the base URL: every example runs on REST API v4 as on v3
    /// (`CASPIO_SANDBOX_API=4`) and prints the same.
    @Test(arguments: examples)
    func exampleRunsOnV4(_ name: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try caspioInSandbox(script: Self.examplesDirectory.appendingPathComponent(name).path, environment: ["CASPIO_SANDBOX_API": "4"],
                                         directory: directory)
        #expect(result.status == 0, "\(name) failed on v4:\n\(result.stdout)\n\(result.stderr)")
        for text in Self.expected[name] ?? [] {
            #expect(result.stdout.contains(text), "\(name) did not print \(text.debugDescription) on v4:\n\(result.stdout)")
        }
    }

    @Test func everyExampleSaysHowToRunIt() throws {
        for name in Self.examples {
            let text = try String(contentsOf: Self.examplesDirectory.appendingPathComponent(name), encoding: .utf8)
            let head = text.split(separator: "\n").prefix(3).joined(separator: "\n")
            // Scripts that talk to Caspio say how to run them against the sandbox.
            let offline = name == "json-report.lua"
            #expect(head.contains("caspio run --sandbox examples/\(name)") || (offline && head.contains("caspio examples/\(name)")), "\(name)")
        }
    }

    @Test func jsonReportPrintsExactNumbers() throws {
        let result = try caspio(["run", Self.examplesDirectory.appendingPathComponent("json-report.lua").path])
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "9007199254740993")
        #expect(lines.dropFirst().first == "0.0")
    }
}
