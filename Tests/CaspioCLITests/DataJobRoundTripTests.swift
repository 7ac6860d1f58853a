import CaspioTestSupport
import Foundation
import Testing

/// `caspio export` and `import` against the sandbox's demo: a semicolon CSV with CRLF and
/// without the LIST field goes out and back in unchanged; every bad cell is reported; a
/// failure prints one line and nothing on standard output.
@Suite struct DataJobRoundTripTests {
    @Test func aSemicolonCSVWithoutTheListFieldGoesOutAndBackIn() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml"]
        let file = directory.path + "/staff.csv"
        // The sandbox starts afresh each time, with the same demo rows.
        let export = try await caspio(
            ["export", "--sandbox", "Staff", "--skip", "Skills", "--delimiter", ";", "--crlf", "-o", file], environment: environment)
        #expect(export.status == 0, "\(export.stderr)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.hasPrefix("PK_ID;Name;Email;Joined;Photo;Updated\r\n1;Ada Park;ada@example.com;"), "\(text)")
        let back = try await caspio(["import", "--sandbox", "Staff", file, "--delimiter", ";", "--key", "Email"], environment: environment)
        #expect(back.status == 0, "\(back.stderr)")
        #expect(back.stderr.contains("Staff: 3 rows: 0 inserted, 0 updated, 3 unchanged"), "\(back.stderr)")
        let json = try await caspio(["export", "--sandbox", "Staff", "--format", "json", "--delimiter", ";"], environment: environment)
        #expect(json.status != 0 && json.stdout.isEmpty && json.stderr.contains("delimiter and crlf are for CSV, not json"), "\(json.stderr)")
        let unknown = try await caspio(["import", "--sandbox", "Staff", file, "--delimiter", ";", "--skip", "Skils"], environment: environment)
        #expect(unknown.status != 0 && unknown.stderr.contains("--skip names Skils, which no row of"), "\(unknown.stderr)")
    }

    @Test func everyBadCellIsReportedAndNothingIsWritten() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml"]
        let rows = "Name,Email,Joined\nA,a@x.com,soon\nB,b@x.com,2024-01-05\nC,c@x.com,later\n"
        let file = try write(rows, to: directory.appendingPathComponent("bad.csv")).path
        let result = try await caspio(["import", "--sandbox", "Staff", file, "--key", "Email"], environment: environment)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("2 bad cells in \(file); nothing was written:"), "\(result.stderr)")
        #expect(result.stderr.contains("line 2: field Joined: cannot convert \"soon\""), "\(result.stderr)")
        #expect(result.stderr.contains("line 4: field Joined: cannot convert \"later\""), "\(result.stderr)")
        #expect(!result.stderr.contains("traceback"), "\(result.stderr)")
    }

    @Test func aFailedExportPrintsOneLineAndNoHeader() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml"]
        let result = try await caspio(["export", "--sandbox", "Staff", "--columns", "Nope"], environment: environment)
        #expect(result.status != 0 && result.stdout.isEmpty, "stdout: \(result.stdout)")
        #expect(result.stderr.hasPrefix("caspio: HTTP 400") && result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        let missing = try await caspio(["export", "--sandbox", "Stafff"], environment: environment)
        #expect(missing.stdout.isEmpty && missing.stderr.split(separator: "\n").count == 1, "\(missing.stderr)")
        #expect(!missing.stderr.contains("traceback"), "\(missing.stderr)")
    }

    @Test func aMissingDownloadFolderIsTheScriptsToFixNotANetworkError() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml"]
        let result = try await caspio(["run", "--sandbox", "-e", #"caspio.files.download("/a.txt", "nodir/a.txt")"#], environment: environment, directory: directory)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("caspio: (command line):1: cannot save to nodir/a.txt: the folder nodir does not exist"), "\(result.stderr)")
        #expect(!result.stderr.contains("network"), "\(result.stderr)")
    }
}
