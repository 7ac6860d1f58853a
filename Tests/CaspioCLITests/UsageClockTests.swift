import CaspioTestSupport
import Foundation
import Testing

/// `caspio usage` says which clock its days and periods are counted by, and the flag, the
/// variable and a bad zone are handled as every setting is.
@Suite struct UsageClockTests {
    @Test func usageShowsTheBillingClock() async throws {
        let fake = try await EmulatedCaspio.start()
        let box = try ScriptSandbox("caspio.get('tables')", fake: fake)
        let run = try await box.run(["--billing-time-zone", "America/Los_Angeles"])
        #expect(run.status == 0, "\(run.stderr)")
        let text = try await caspio(["usage"], environment: box.environment.merging(["CASPIO_BILLING_TIME_ZONE": "-07:00"]) { $1 }, directory: box.directory)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("clock:    UTC-07:00 (billing_time_zone"), "\(text.stdout)")
        #expect(text.stdout.contains(", UTC-07:00)"), "\(text.stdout)")
        let json = try await caspio(["usage", "--json", "--billing-time-zone", "Europe/Paris"], environment: box.environment, directory: box.directory)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["billing_time_zone"] as? String == "Europe/Paris", "\(json.stdout)")
        let bad = try await caspio(["usage", "--billing-time-zone", "PST"], environment: box.environment, directory: box.directory)
        #expect(bad.status == 2, "\(bad.stderr)")
        #expect(bad.stderr.contains("--billing-time-zone = 'PST' is not a time zone"), "\(bad.stderr)")
    }
}
