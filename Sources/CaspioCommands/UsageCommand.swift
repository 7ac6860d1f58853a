import ArgumentParser
import CaspioClient
import CaspioStore
import Foundation

/// `caspio usage`: what the usage ledger has counted for the account, across every run.
struct UsageCommand: ParsableCommand, StopsLikeRun {
    static let configuration = CommandConfiguration(
        commandName: "usage",
        abstract: "Show the requests counted across runs: today, the billing period, earlier periods, the largest scripts.",
        usage: "caspio usage [--profile P] [--json]",
        discussion: """
            Every request of every run is counted in a ledger per account, next to the token cache (or, with a PostgreSQL store, in the store, for every host). Days are counted by the account's clock, billing_time_zone (an IANA zone or a fixed offset like -07:00; UTC by default; Caspio's usage log shows the account's, e.g. Log date (UTC-07:00)); a billing period starts on the profile's billing_day (1-28, default 1). Counts are the account's, whichever profile made them; the scripts are listed with their profile. Needs no client secret.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Option(help: "How many earlier billing periods to show.")
    var periods = 3

    func run() throws {
        CommandStop.begin()
        do {
            let session = try CommandSession.start(connection.values)
            defer { session.close() }
            var resolver = session.resolver()
            resolver.requireCredentials = false
            let configuration = try resolver.resolve()
            let meter: UsageMeter
            if let store = try session.store() {
                meter = UsageMeter(configuration: configuration, ledger: store.ledger(baseURL: configuration.baseURL))
            } else {
                guard let directory = configuration.usageDirectory else {
                    throw CaspioError(.config, "the token cache is off (CASPIO_TOKEN_CACHE or token_cache), and the usage ledger lives in it: nothing was counted")
                }
                meter = UsageMeter(configuration: configuration, directory: directory)
            }
            let ledger = meter.ledger
            let counts = try CommandStop.awaiting { () async throws(CaspioError) in try await ledger.counts() }
            let report = UsageReport(
                counts: counts, calendar: meter.calendar, now: Date(), periods: max(0, periods),
                perDay: configuration.maxRequestsPerDay, perPeriod: configuration.maxRequestsPerPeriod)
            let text = json ? report.json(ledger: ledger.location) : report.text(ledger: ledger.location)
            FileHandle.standardOutput.write(Data(text.utf8))
        } catch let error as CaspioError {
            printError(error.description)
            throw ExitCode(error.exitStatus.rawValue)
        }
    }
}

/// The ledger's counts summed the ways `caspio usage` shows them.
struct UsageReport {
    struct Script { var script: String, profile: String, requests: Int }

    /// The billing clock the days are counted by (`billing_time_zone`).
    var clock: String
    var today: String
    var todayCount: Int
    var period: UsageCalendar.Period
    var periodCount: Int
    var earlier: [(UsageCalendar.Period, Int)]
    var scripts: [Script]
    var perDay: Int?
    var perPeriod: Int?

    init(counts: [UsageLedger.Key: Int], calendar: UsageCalendar, now: Date, periods: Int, perDay: Int?, perPeriod: Int?) {
        var days: [String: Int] = [:]
        for (key, count) in counts { days[key.day, default: 0] += count }
        clock = calendar.timeZone.name
        today = calendar.day(now)
        todayCount = days[today] ?? 0
        period = calendar.period(containing: now)
        periodCount = UsageCalendar.total(days, in: period)
        earlier = (0..<periods).map { back in
            let earlier = calendar.period(containing: now, back: back + 1)
            return (earlier, UsageCalendar.total(days, in: earlier))
        }
        var byScript: [UsageLedger.Key: Int] = [:]
        for (key, count) in counts where period.contains(key.day) {
            byScript[UsageLedger.Key(day: "", profile: key.profile, script: key.script), default: 0] += count
        }
        scripts = byScript.map { Script(script: $0.key.script, profile: $0.key.profile, requests: $0.value) }
            .sorted { ($0.requests, $1.script, $1.profile) > ($1.requests, $0.script, $0.profile) }
            .prefix(10).map { $0 }
        (self.perDay, self.perPeriod) = (perDay, perPeriod)
    }

    func text(ledger: String) -> String {
        func budget(_ used: Int, _ limit: Int?) -> String {
            limit.map { " of a budget of \($0) (\(max(0, $0 - used)) left)" } ?? ""
        }
        var lines = [
            "ledger:   \(ledger)",
            "clock:    \(clock) (billing_time_zone: days and periods are counted by the account's clock)",
            "today:    \(todayCount) requests\(budget(todayCount, perDay)) (\(today), \(clock))",
            "period:   \(periodCount) requests\(budget(periodCount, perPeriod)) (\(period.start) to \(period.lastDay))",
        ]
        for (earlier, count) in earlier { lines.append("earlier:  \(count) requests (\(earlier.start) to \(earlier.lastDay))") }
        lines.append(scripts.isEmpty ? "scripts:  none this period" : "largest scripts this period:")
        for s in scripts {
            lines.append("  \(String(s.requests).leftPadded(8))  \(s.script.isEmpty ? "(unnamed)" : s.script)\(s.profile.isEmpty ? "" : " (profile \(s.profile))")")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    func json(ledger: String) -> String {
        func span(_ p: UsageCalendar.Period, _ count: Int) -> [String: Any] {
            ["start": p.start, "last_day": p.lastDay, "requests": count]
        }
        var todayObject: [String: Any] = ["day": today, "requests": todayCount]
        var periodObject = span(period, periodCount)
        if let perDay { todayObject["budget"] = perDay }
        if let perPeriod { periodObject["budget"] = perPeriod }
        let object: [String: Any] = [
            "ledger": ledger, "billing_time_zone": clock, "today": todayObject, "period": periodObject,
            "earlier_periods": earlier.map { span($0.0, $0.1) },
            "scripts": scripts.map { ["script": $0.script, "profile": $0.profile, "requests": $0.requests] },
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
