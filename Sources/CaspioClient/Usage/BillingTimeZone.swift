import Foundation

/// The clock of the ledger's days and billing periods. Caspio counts calls by the account's
/// clock (its usage log reads `Log date (UTC-07:00)`), so near midnight UTC days disagree with
/// Caspio's usage page: `billing_time_zone` names the account's zone, as an IANA name
/// (`America/Los_Angeles`) or a fixed offset (`-07:00`, `+05:30`). UTC by default.
public struct BillingTimeZone: Sendable, Equatable {
    /// As given (an IANA name, or the offset as `UTC-07:00`), for messages and `caspio usage`.
    public let name: String
    public let zone: TimeZone

    public static let utc = BillingTimeZone(name: "UTC", zone: TimeZone(identifier: "UTC")!)

    /// `America/Los_Angeles`, `UTC`, `-07:00`, `+0530`, `UTC-07:00`; nil for anything else.
    public init?(_ text: String) {
        let given = text.trimmingCharacters(in: .whitespaces)
        var offset = given
        for prefix in ["UTC", "GMT"] where offset.uppercased().hasPrefix(prefix) && offset.count > prefix.count {
            offset = String(offset.dropFirst(prefix.count))
        }
        if let sign = offset.first, sign == "+" || sign == "-" {
            let digits = offset.dropFirst().replacingOccurrences(of: ":", with: "")
            guard digits.count == 4 || digits.count == 2, digits.allSatisfy(\.isASCII), let number = Int(digits) else { return nil }
            let (hours, minutes) = digits.count == 4 ? (number / 100, number % 100) : (number, 0)
            guard hours <= 14, minutes < 60, let zone = TimeZone(secondsFromGMT: (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60))
            else { return nil }
            self.init(name: String(format: "UTC%@%02d:%02d", String(sign), hours, minutes), zone: zone)
            return
        }
        // Foundation also takes abbreviations (PST) and odd spellings; only real IANA names here.
        if given.uppercased() == "UTC" {
            self = .utc
            return
        }
        guard TimeZone.knownTimeZoneIdentifiers.contains(given), let zone = TimeZone(identifier: given) else { return nil }
        self.init(name: given, zone: zone)
    }

    private init(name: String, zone: TimeZone) {
        self.name = name
        self.zone = zone
    }

    /// What to say when a setting is not a zone.
    static let expected =
        "give an IANA time zone such as America/Los_Angeles or a fixed offset such as -07:00 (the account's: Caspio's usage page and its logs show it, e.g. Log date (UTC-07:00))"
}
