import CaspioClient
import Foundation

/// --summary: what a run cost, printed on stderr at exit (a line of JSON with --log-format json).
enum RunSummary {
    /// Where the run's lock and caspio.state are, so that two runs that should exclude each
    /// other can be seen to use the same ones.
    struct Places {
        var lock: String?
        var state: String?
    }

    static func render(_ s: Counters.Snapshot, duration: Double, status: ExitStatus, json: Bool, places: Places = .init()) -> String {
        let seconds = (duration * 1000).rounded() / 1000
        if json {
            let object: [String: Any] = [
                "ts": ISO8601DateFormatter.withFractions.string(from: Date()), "level": "info", "message": "summary",
                "duration": seconds, "exit_code": Int(status.rawValue), "requests": s.requests,
                "requests_by_method": s.requestsByMethod, "retries": s.retries, "grants": s.grants,
                "throttled": s.throttled, "pauses": s.pauses, "paused": (s.paused * 1000).rounded() / 1000,
                "rows_read": s.rowsRead, "rows_written": s.rowsWritten, "bytes_in": s.bytesIn, "bytes_out": s.bytesOut,
                "lock": places.lock ?? NSNull(), "state": places.state ?? NSNull(),
            ]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            return String(decoding: data, as: UTF8.self) + "\n"
        }
        func counts(_ d: [String: Int]) -> String {
            d.isEmpty ? "none" : d.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        return """
            caspio: summary: exit \(status.rawValue) after \(String(format: "%.3f", seconds))s
            caspio: summary: requests \(s.requests) (\(counts(s.requestsByMethod))), retries \(s.retries), grants \(counts(s.grants))
            caspio: summary: throttled \(s.throttled) (429 or 503), paused \(String(format: "%.3f", s.paused))s waiting for the account (\(s.pauses) \(s.pauses == 1 ? "pause" : "pauses"))
            caspio: summary: rows read \(s.rowsRead), written \(s.rowsWritten); bytes in \(s.bytesIn), out \(s.bytesOut)
            caspio: summary: \(places.lock.map { "held \($0)" } ?? "no lock"); caspio.state \(places.state ?? "none")

            """
    }
}
