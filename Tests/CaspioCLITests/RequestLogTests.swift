import CaspioTestSupport
import Foundation
import Testing

/// Logs a service can use: one line per request at info, numbers as JSON numbers; and
/// `caspio auth --logout`, which deletes a file, needs no secret.
@Suite struct RequestLogTests {
    @Test func eachRequestIsOneJSONLineAtInfoWithNumbersAsNumbers() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = ["HOME": directory.path, "CASPIO_CONFIG": directory.path + "/none.toml"]
        let result = try await caspio(
            ["run", "--sandbox", "--log-level", "info", "--log-format", "json", "-e", #"caspio.table("Staff"):count()"#],
            environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        let records = try result.stderr.split(separator: "\n").map {
            try #require(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\($0)")
        }
        let requests = records.filter { ($0["message"] as? String)?.hasPrefix("GET ") == true }
        #expect(requests.count == 1, "\(result.stderr)")
        let line = try #require(requests.first)
        #expect(line["level"] as? String == "info")
        #expect(line["status"] as? Int == 200 && !(line["status"] is String), "\(line)")
        #expect(line["duration_ms"] is Int && line["attempt"] as? Int == 1, "\(line)")
        #expect(line["request_id"] is String, "\(line)")
    }

    @Test func logoutNeedsNoSecret() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let arguments = [
            "-i", "HOME=\(directory.path)", "CASPIO_BASE_URL=http://127.0.0.1:9/integrations/rest/v3", "CASPIO_CLIENT_ID=abc",
            caspioBinary.path, "auth", "--logout",
        ]
        let result = try await runProcess(URL(fileURLWithPath: "/usr/bin/env"), arguments, seconds: 30)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("No cached token at \(directory.path)/.cache/caspio/tokens/"), "\(result.stdout)")
    }
}
