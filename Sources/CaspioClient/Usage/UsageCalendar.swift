import Foundation

/// Days and billing periods on the account's billing clock (`billing_time_zone`, UTC by
/// default), the same for every run on every machine, whatever its own zone. A period runs
/// from its billing day to the day before it a month later.
public struct UsageCalendar: Sendable {
    public struct Period: Sendable, Equatable {
        /// First day, and the first day of the next period (exclusive), as YYYY-MM-DD.
        public var start: String
        public var end: String

        public func contains(_ day: String) -> Bool { day >= start && day < end }

        /// The period's last day (the day before `end`).
        public var lastDay: String {
            let parts = end.split(separator: "-").compactMap { Int($0) }
            let first = UsageCalendar.utc.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
            return UsageCalendar.day(first.addingTimeInterval(-43_200))
        }
    }

    /// 1-28, so that every month has the day.
    public let billingDay: Int

    /// The clock the days are counted by.
    public let timeZone: BillingTimeZone
    private let calendar: Calendar

    public init(billingDay: Int = 1, timeZone: BillingTimeZone = .utc) {
        self.billingDay = billingDay
        self.timeZone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone.zone
        self.calendar = calendar
    }

    /// The day `date` falls on by the billing clock, as YYYY-MM-DD.
    public func day(_ date: Date) -> String { Self.day(date, in: calendar) }

    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The UTC day of `date` (for the ledger's housekeeping, not for counting).
    public static func day(_ date: Date) -> String { day(date, in: utc) }

    private static func day(_ date: Date, in calendar: Calendar) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }

    /// The period holding `date`; `back` periods earlier with `back` > 0.
    public func period(containing date: Date, back: Int = 0) -> Period {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        var month = c.month! - (c.day! < billingDay ? 1 : 0) - back
        var year = c.year!
        while month < 1 {
            month += 12
            year -= 1
        }
        let next = month == 12 ? (year + 1, 1) : (year, month + 1)
        return Period(
            start: String(format: "%04d-%02d-%02d", year, month, billingDay),
            end: String(format: "%04d-%02d-%02d", next.0, next.1, billingDay))
    }

    /// Requests per day summed over `period`.
    public static func total(_ days: [String: Int], in period: Period) -> Int {
        days.reduce(0) { $0 + (period.contains($1.key) ? $1.value : 0) }
    }
}
