import Foundation
import Testing

@testable import CaspioClient

/// The ledger's days and periods on the account's clock (`billing_time_zone`), as Caspio
/// counts them, and the setting in each of its layers.
@Suite struct BillingTimeZoneTests {
    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test func zonesAreIANANamesOrFixedOffsets() {
        #expect(BillingTimeZone("-07:00")?.name == "UTC-07:00")
        #expect(BillingTimeZone("-07:00")?.zone.secondsFromGMT() == -7 * 3600)
        #expect(BillingTimeZone("+0530")?.name == "UTC+05:30")
        #expect(BillingTimeZone("UTC-07:00")?.name == "UTC-07:00")
        #expect(BillingTimeZone("America/Los_Angeles")?.name == "America/Los_Angeles")
        #expect(BillingTimeZone("utc")?.name == "UTC")
        for bad in ["PST", "Mars/Olympus", "-7", "+25:00", "-07:99", ""] { #expect(BillingTimeZone(bad) == nil, "\(bad)") }
    }

    @Test func daysTurnAtTheAccountsMidnight() {
        let pacific = UsageCalendar(billingDay: 1, timeZone: BillingTimeZone("-07:00")!)
        let utc = UsageCalendar(billingDay: 1)
        // 03:00 UTC on the 2nd is still the 1st, 20:00, on the account's clock.
        #expect(pacific.day(Self.instant("2026-12-02T03:00:00Z")) == "2026-12-01")
        #expect(utc.day(Self.instant("2026-12-02T03:00:00Z")) == "2026-12-02")
        #expect(pacific.day(Self.instant("2026-12-02T07:00:00Z")) == "2026-12-02")
        // So is the period: on the 27th it turns at the account's midnight, not UTC's.
        let billing = UsageCalendar(billingDay: 27, timeZone: BillingTimeZone("America/Los_Angeles")!)
        #expect(billing.period(containing: Self.instant("2026-12-27T05:00:00Z")) == .init(start: "2026-11-27", end: "2026-12-27"))
        #expect(billing.period(containing: Self.instant("2026-12-27T09:00:00Z")) == .init(start: "2026-12-27", end: "2027-01-27"))
    }

    @Test func theLedgerFilesRequestsUnderTheAccountsDay() async throws {
        var configuration = UsageLedgerTests.configuration(perDay: 10)
        configuration.billingTimeZone = BillingTimeZone("-07:00")!
        let meter = UsageMeter(
            configuration: configuration, directory: temporaryPath("ledger"), now: { Self.instant("2026-12-02T03:00:00Z") })
        for _ in 0..<10 { try await meter.record(method: "GET", url: "u") }
        #expect(try meter.ledger.days() == ["2026-12-01": 10])
        #expect(try meter.lowBudgetWarnings() == ["the daily budget is nearly spent: 0 of 10 requests left (10 counted today (2026-12-01, UTC-07:00))"])
    }

    @Test func theSettingComesFromAFlagTheEnvironmentOrAProfile() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("""
            [profiles.p]
            account = "c1abc123"
            client_id = "id"
            client_secret = "s"
            billing_time_zone = "America/Denver"
            """)
        #expect(try sandbox.resolve(["CASPIO_PROFILE": "p"]).billingTimeZone.name == "America/Denver")
        #expect(try sandbox.resolve(["CASPIO_PROFILE": "p", "CASPIO_BILLING_TIME_ZONE": "-07:00"]).billingTimeZone.name == "UTC-07:00")
        var flags = ConfigurationOverrides()
        flags.billingTimeZone = "Europe/Paris"
        #expect(try sandbox.resolve(["CASPIO_PROFILE": "p", "CASPIO_BILLING_TIME_ZONE": "-07:00"], overrides: flags).billingTimeZone.name == "Europe/Paris")
        #expect(try sandbox.resolve(minimalEnvironment).billingTimeZone == .utc)

        let fromEnvironment = sandbox.error(minimalEnvironment.merging(["CASPIO_BILLING_TIME_ZONE": "PST"]) { $1 })
        #expect(fromEnvironment?.message.hasPrefix("CASPIO_BILLING_TIME_ZONE = 'PST' is not a time zone: give an IANA time zone") == true)
        flags.billingTimeZone = "pacific"
        #expect(throws: CaspioError.self) { try flags.validate() }
        try sandbox.writeConfig("[profiles.p]\naccount = \"c1abc123\"\nbilling_time_zone = -7\n")
        #expect(sandbox.error(["CASPIO_PROFILE": "p"])?.message.contains("billing_time_zone must be a string") == true)
    }
}
