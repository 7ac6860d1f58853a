#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc
import NIOConcurrencyHelpers

/// This run's side of the ledger: files each request under today, the profile and the script,
/// and enforces the budgets across runs (`max_requests_per_day`, `max_requests_per_period`),
/// which count every run on the account.
public struct UsageMeter: Sendable {
    public let ledger: any UsageStore
    public let calendar: UsageCalendar
    let profile: String
    let script: String
    let perDay: Int?
    let perPeriod: Int?
    let now: @Sendable () -> Date
    private let warnedUncounted = NIOLockedValueBox(false)

    public init(configuration c: ClientConfiguration, directory: String, now: @escaping @Sendable () -> Date = { Date() }) {
        self.init(configuration: c, ledger: UsageLedger(directory: directory, baseURL: c.baseURL), now: now)
    }

    public init(configuration c: ClientConfiguration, ledger: any UsageStore, now: @escaping @Sendable () -> Date = { Date() }) {
        self.ledger = ledger
        calendar = UsageCalendar(billingDay: c.billingDay, timeZone: c.billingTimeZone)
        profile = c.profile ?? ""
        script = c.scriptName ?? ""
        perDay = c.maxRequestsPerDay
        perPeriod = c.maxRequestsPerPeriod
        self.now = now
    }

    /// Counts one request about to be sent, or throws the budget error instead.
    func record(method: String, url: String) async throws(CaspioError) {
        let date = now()
        let today = calendar.day(date)
        let period = calendar.period(containing: date)
        let since = perDay == nil && perPeriod == nil ? nil : min(today, period.start)
        try await ledger.record(.init(day: today, profile: profile, script: script), since: since) { (days) throws(CaspioError) in
            for budget in budgets(days, today: today, period: period) where budget.used >= budget.limit {
                throw CaspioError(
                    .budget,
                    "the \(budget.name) of \(budget.limit) requests (\(budget.setting)) is spent: the usage ledger counts \(budget.used) requests \(budget.span) on this account; this request was not sent",
                    method: method, url: url)
            }
        }
    }

    /// Whether `error` only means the ledger's directory may not be written here (a read-only
    /// cache directory) while no budget depends on the count: then requests go out uncounted.
    /// The warning to give, the first time; "" after it; nil for an error to raise.
    func uncountedWarning(for error: CaspioError) -> String? {
        guard error.kind == .config, perDay == nil, perPeriod == nil, let file = ledger as? UsageLedger,
            access(file.directory, W_OK) != 0
        else { return nil }
        let first = warnedUncounted.withLockedValue { warned in
            defer { warned = true }
            return !warned
        }
        return first ? "this run's requests are not counted in the usage ledger: \(error.message)" : ""
    }

    struct Budget {
        var name: String
        var setting: String
        var limit: Int
        var used: Int
        var span: String
    }

    func budgets(_ days: [String: Int], today: String, period: UsageCalendar.Period) -> [Budget] {
        var result: [Budget] = []
        if let perDay {
            result.append(Budget(
                name: "daily budget", setting: "max_requests_per_day, CASPIO_MAX_REQUESTS_PER_DAY or --max-requests-per-day",
                limit: perDay, used: days[today] ?? 0, span: "today (\(today), \(calendar.timeZone.name))"))
        }
        if let perPeriod {
            result.append(Budget(
                name: "billing-period budget",
                setting: "max_requests_per_period, CASPIO_MAX_REQUESTS_PER_PERIOD or --max-requests-per-period",
                limit: perPeriod, used: UsageCalendar.total(days, in: period), span: "since \(period.start)"))
        }
        return result
    }

    /// The line to warn with when a run starts with less than 10% of a budget left.
    func lowBudgetWarnings() throws(CaspioError) -> [String] {
        guard perDay != nil || perPeriod != nil else { return [] }
        let date = now()
        let today = calendar.day(date)
        return budgets(try ledger.days(), today: today, period: calendar.period(containing: date))
            .filter { Double($0.limit - $0.used) < Double($0.limit) * 0.1 }
            .map { "the \($0.name) is nearly spent: \(max(0, $0.limit - $0.used)) of \($0.limit) requests left (\($0.used) counted \($0.span))" }
    }
}
