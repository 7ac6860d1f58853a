import Foundation
import Testing

@testable import CaspioClient

/// The usage ledger (counts across runs, torn lines, compaction), billing periods, the budgets
/// across runs, and their settings.
@Suite struct UsageLedgerTests {
    static let account = URL(string: "https://c1abc123.caspio.com/integrations/rest/v3")!
    static let key = UsageLedger.Key(day: "2026-12-01", profile: "prod", script: "job.lua")

    static func configuration(perDay: Int? = nil, perPeriod: Int? = nil, billingDay: Int = 1) -> ClientConfiguration {
        ClientConfiguration(
            profile: "prod", baseURL: account, tokenURL: URL(string: "https://c1abc123.caspio.com/oauth/token")!,
            clientID: "id", clientSecret: Secret("s"), maxRequestsPerDay: perDay, maxRequestsPerPeriod: perPeriod,
            billingDay: billingDay, scriptName: "job.lua")
    }

    @Test func periodsStartOnTheBillingDay() {
        let calendar = UsageCalendar(billingDay: 15)
        let date = { (text: String) in ISO8601DateFormatter().date(from: text + "T12:00:00Z")! }
        #expect(calendar.period(containing: date("2026-12-01")) == .init(start: "2026-11-15", end: "2026-12-15"))
        #expect(calendar.period(containing: date("2026-12-15")) == .init(start: "2026-12-15", end: "2027-01-15"))
        #expect(calendar.period(containing: date("2026-01-03"), back: 1) == .init(start: "2025-11-15", end: "2025-12-15"))
        #expect(calendar.period(containing: date("2026-12-01")).lastDay == "2026-12-14")
        #expect(UsageCalendar(billingDay: 1).period(containing: date("2026-02-10")).lastDay == "2026-02-28")
        #expect(UsageCalendar.total(["2026-11-14": 5, "2026-11-15": 2, "2026-12-14": 3, "2026-12-15": 7], in: .init(start: "2026-11-15", end: "2026-12-15")) == 5)
    }

    /// Two ledgers on one file are two processes: separate descriptors, so flock separates them.
    @Test func concurrentWritersAddUpExactly() async throws {
        let directory = temporaryPath("ledger")
        let (a, b) = (UsageLedger(directory: directory, baseURL: Self.account), UsageLedger(directory: directory, baseURL: Self.account))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    let key = UsageLedger.Key(day: "2026-12-01", profile: "p", script: "s\(task % 4)")
                    for _ in 0..<50 { try (task % 2 == 0 ? a : b).record(key) { _ in } }
                }
            }
            try await group.waitForAll()
        }
        let fresh = UsageLedger(directory: directory, baseURL: Self.account)
        #expect(try fresh.counts().values.reduce(0, +) == 800)
        #expect(try a.days() == ["2026-12-01": 800])
        #expect(try fresh.counts()[.init(day: "2026-12-01", profile: "p", script: "s3")] == 200)
        var info = stat()
        #expect(stat(fresh.path, &info) == 0 && info.st_mode & 0o777 == 0o600)
        #expect(stat(directory, &info) == 0 && info.st_mode & 0o777 == 0o700)
    }

    /// A writer killed in the middle of a line leaves a line without its newline: skipped, and
    /// the next record starts on a line of its own.
    @Test func aTornLastLineIsSkippedAndTheNextRecordStartsAfreshLine() throws {
        let directory = temporaryPath("ledger")
        let ledger = UsageLedger(directory: directory, baseURL: Self.account)
        for _ in 0..<3 { try ledger.record(Self.key) { _ in } }
        let handle = try #require(FileHandle(forWritingAtPath: ledger.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"d":"2026-12-01","n":1,"p":"pr"#.utf8))
        try handle.close()
        let other = UsageLedger(directory: directory, baseURL: Self.account)
        #expect(try other.counts()[Self.key] == 3)
        try other.record(Self.key) { _ in }
        try ledger.record(Self.key) { _ in }
        #expect(try UsageLedger(directory: directory, baseURL: Self.account).counts()[Self.key] == 5)
        let lines = try String(contentsOfFile: ledger.path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 6 && lines.filter { $0.hasSuffix("}") }.count == 5, "\(lines)")
    }

    @Test func compactionKeepsEveryRecentCountAndOtherWritersFollowTheNewFile() throws {
        let directory = temporaryPath("ledger")
        let small = UsageLedger(directory: directory, baseURL: Self.account, compactBytes: 600)
        let other = UsageLedger(directory: directory, baseURL: Self.account)
        let today = UsageLedger.Key(day: UsageCalendar.day(Date()), profile: "prod", script: "job.lua")
        let yesterday = UsageLedger.Key(day: UsageCalendar.day(Date().addingTimeInterval(-86400)), profile: "", script: "-e")
        let ancient = UsageLedger.Key(day: "2001-01-01", profile: "", script: "old.lua")
        try other.record(ancient) { _ in }
        for i in 0..<100 { try (i % 3 == 0 ? other : small).record(i % 2 == 0 ? today : yesterday) { _ in } }
        let text = try String(contentsOfFile: small.path, encoding: .utf8)
        #expect(text.split(separator: "\n").count < 20, "compacted: \(text.count) bytes")
        let counts = try UsageLedger(directory: directory, baseURL: Self.account).counts()
        #expect(counts == [today: 50, yesterday: 50], "and days beyond \(UsageLedger.keepDays) dropped")
        #expect(try other.counts() == counts)
    }

    @Test func aPeriodBudgetStopsBeforeTheRequestThatWouldExceedIt() async throws {
        let directory = temporaryPath("ledger")
        let now = ISO8601DateFormatter().date(from: "2026-12-01T12:00:00Z")!
        let meter = UsageMeter(configuration: Self.configuration(perPeriod: 5, billingDay: 20), directory: directory, now: { now })
        #expect(try meter.lowBudgetWarnings().isEmpty)
        for _ in 0..<5 { try await meter.record(method: "GET", url: "u") }
        #expect(try meter.lowBudgetWarnings().first?.contains("0 of 5 requests left") == true)
        do {
            try await meter.record(method: "GET", url: "https://c1abc123.caspio.com/x")
            Issue.record("the sixth request went through")
        } catch {
            #expect(error.kind == .budget)
            #expect(error.message.contains("billing-period budget of 5 requests (max_requests_per_period"), "\(error.message)")
            #expect(error.message.contains("counts 5 requests since 2026-11-20"), "\(error.message)")
        }
        #expect(try await meter.ledger.counts().values.reduce(0, +) == 5, "a refused request is not counted")
        let daily = UsageMeter(configuration: Self.configuration(perDay: 50), directory: directory, now: { now })
        for _ in 0..<40 { try await daily.record(method: "GET", url: "u") }
        #expect(try daily.lowBudgetWarnings().isEmpty)
        for _ in 0..<1 { try await daily.record(method: "GET", url: "u") }
        #expect(try daily.lowBudgetWarnings() == ["the daily budget is nearly spent: 4 of 50 requests left (46 counted today (2026-12-01, UTC))"])
    }

    @Test func badSettingsAreLoudAndNameTheSetting() throws {
        let sandbox = try ConfigSandbox()
        var flags = ConfigurationOverrides()
        flags.rate = 0
        #expect(sandbox.error(minimalEnvironment, overrides: flags)?.message.hasPrefix("--rate = 0.0 is not a rate") == true)
        #expect(sandbox.error(minimalEnvironment.merging(["CASPIO_RATE": "fast"]) { $1 })?.message == #"CASPIO_RATE='fast' is not a number of requests per second, e.g. 6, or "auto""#)
        #expect(sandbox.error(minimalEnvironment.merging(["CASPIO_BILLING_DAY": "31"]) { $1 })?.message.contains("CASPIO_BILLING_DAY = 31 must be a day of the month from 1 to 28") == true)
        let off = sandbox.error(minimalEnvironment.merging(["CASPIO_TOKEN_CACHE": "off", "CASPIO_MAX_REQUESTS_PER_DAY": "10"]) { $1 })
        #expect(off?.message.contains("the token cache is off") == true)
        try sandbox.writeConfig("""
            [profiles.p]
            account = "c1abc123"
            client_id = "id"
            client_secret = "s"
            rate = 6.5
            billing_day = 15
            max_requests_per_period = 100000
            """)
        let resolved = try sandbox.resolve(["CASPIO_PROFILE": "p", "CASPIO_MAX_REQUESTS_PER_DAY": "900"])
        #expect(resolved.rate == 6.5 && resolved.billingDay == 15)
        #expect(resolved.maxRequestsPerPeriod == 100000 && resolved.maxRequestsPerDay == 900)
        #expect(resolved.usageDirectory == sandbox.root + "/cache/caspio/tokens")
        flags.rate = 2
        #expect(try sandbox.resolve(["CASPIO_PROFILE": "p", "CASPIO_RATE": "3"], overrides: flags).rate == 2)
        try sandbox.writeConfig("[profiles.p]\naccount = \"c1abc123\"\nrate = \"fast\"\n")
        #expect(sandbox.error(["CASPIO_PROFILE": "p"])?.message.contains("rate must be a number of requests per second") == true)
        try sandbox.writeConfig("[profiles.p]\naccount = \"c1abc123\"\nbilling_day = \"15\"\n")
        #expect(sandbox.error(["CASPIO_PROFILE": "p"])?.message.contains("billing_day must be a day of the month from 1 to 28") == true)
    }
}
