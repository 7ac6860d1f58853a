import Foundation

/// Pacing and the budgets across runs, as one layer (flags, environment, a profile) gives them.
struct UsageSettings {
    var rate: Double?
    var maxRequestsPerDay: Int?
    var maxRequestsPerPeriod: Int?
    var billingDay: Int?
    var billingTimeZone: BillingTimeZone?

    /// Checks what a layer gave; `spelled` says how that layer names a key ("rate" becomes
    /// "--rate", "CASPIO_RATE" or "rate in profile 'prod' of PATH"), so the error names it.
    static func validated(
        rate: Double?, perDay: Int?, perPeriod: Int?, billingDay: Int?, billingTimeZone: String?,
        spelled: (String) -> String
    ) throws(CaspioError) -> UsageSettings {
        if let rate, !(rate.isFinite && rate > 0 && rate <= 10_000) {
            throw CaspioError(
                .config,
                "\(spelled("rate")) = \(rate) is not a rate: give requests per second above 0 and at most 10000, e.g. 6 (Caspio's published limit is 2,000 requests per 300 s)")
        }
        for (key, value) in [("max_requests_per_day", perDay), ("max_requests_per_period", perPeriod)] {
            if let value, value < 0 {
                throw CaspioError(.config, "\(spelled(key)) = \(value) must be a whole number of requests, 0 or more")
            }
        }
        if let billingDay, !(1...28).contains(billingDay) {
            throw CaspioError(.config, "\(spelled("billing_day")) = \(billingDay) must be a day of the month from 1 to 28")
        }
        var zone: BillingTimeZone?
        if let billingTimeZone {
            guard let parsed = BillingTimeZone(billingTimeZone) else {
                throw CaspioError(
                    .config, "\(spelled("billing_time_zone")) = '\(billingTimeZone)' is not a time zone: \(BillingTimeZone.expected)")
            }
            zone = parsed
        }
        return UsageSettings(
            rate: rate, maxRequestsPerDay: perDay, maxRequestsPerPeriod: perPeriod, billingDay: billingDay, billingTimeZone: zone)
    }

    /// The environment's: CASPIO_RATE, CASPIO_MAX_REQUESTS_PER_DAY, … (an empty one is unset).
    static func fromEnvironment(_ environment: [String: String]) throws(CaspioError) -> UsageSettings {
        func variable(_ key: String) -> String { "CASPIO_" + key.uppercased() }
        func text(_ key: String) -> String? {
            nonEmpty(environment[variable(key)])?.trimmingCharacters(in: .whitespaces)
        }
        func number<T: LosslessStringConvertible>(_ key: String, _: T.Type) throws(CaspioError) -> T? {
            guard let text = text(key) else { return nil }
            guard let value = T(text) else {
                throw CaspioError(.config, "\(variable(key))='\(text)' is not a number")
            }
            return value
        }
        return try validated(
            rate: try number("rate", Double.self), perDay: try number("max_requests_per_day", Int.self),
            perPeriod: try number("max_requests_per_period", Int.self), billingDay: try number("billing_day", Int.self),
            billingTimeZone: text("billing_time_zone"), spelled: variable)
    }

    static func flagName(_ key: String) -> String { "--" + key.replacingOccurrences(of: "_", with: "-") }
}
