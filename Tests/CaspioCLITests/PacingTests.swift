import CaspioTestSupport
import CaspioSandbox
import Foundation
import Testing

/// Pacing (--rate) against an account-wide limiter (more than 10 requests in a second lock the account
/// for 2 s): reads through caspio.map at concurrency 8, paced and not. The binary end to end, in
/// real time and so few reads: the pacing itself is checked in virtual time (PacingSimulation).
@Suite struct PacingTests {
    static func reads(_ count: Int) -> String {
        """
        local ids = {}
        for i = 1, \(count) do ids[i] = i end
        local started = os.time()
        caspio.map(ids, function(i) return caspio.get("tables/Customers/records", { ["q.limit"] = 1 }) end,
          { concurrency = 8 })
        local s = caspio.stats()
        print(s.requests, s.throttled, string.format("%.3f", s.paused))
        """
    }

    static func limitedFake() async throws -> EmulatedCaspio {
        let fake = try await EmulatedCaspio.start {
            $0.rateLimit = SandboxSettings.RateLimit(requests: .max, window: 1, burstPerSecond: 10, lockout: 2)
        }
        try fake.seed("Customers", count: 5)
        return fake
    }

    @Test func pacedBelowTheLimitNo429AndNoSlowerThanTheRate() async throws {
        let fake = try await Self.limitedFake()
        let box = try ScriptSandbox(Self.reads(24), fake: fake)
        let began = Date()
        let result = try await box.run(["--rate", "8", "--summary"])
        let elapsed = Date().timeIntervalSince(began)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(fake.sandbox.rateLimited == 0)
        #expect(result.stdout.hasPrefix("24\t0\t0.000"), "\(result.stdout)")
        // 25 starts (the token too) spaced 1/8 s: at least 3 s.
        #expect(elapsed >= 2.9 && elapsed < 15, "\(elapsed)")
        #expect(result.stderr.contains("caspio: summary: throttled 0 (429 or 503), paused 0.000s"), "\(result.stderr)")
    }

    @Test func unpacedAllSucceedWithAtMostThreeLockouts() async throws {
        let fake = try await Self.limitedFake()
        let box = try ScriptSandbox(Self.reads(48), fake: fake)
        let result = try await box.run(["--summary", "--log-format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let limiter = (lockouts: fake.sandbox.lockouts, refusals: fake.sandbox.rateLimited)
        #expect(limiter.lockouts >= 1 && limiter.lockouts <= 3, "\(limiter.lockouts) lockouts")
        let fields = result.stdout.split(whereSeparator: \.isWhitespace).map(String.init)
        #expect(fields.first == String(48 + limiter.refusals), "every read sent once, plus its refusals: \(result.stdout)")
        #expect(fields.dropFirst().first == String(limiter.refusals), "every 429 is seen: \(result.stdout)")
        let paused = Double(fields.last ?? "") ?? 0
        #expect(paused >= 2 * Double(limiter.lockouts) - 0.5, "\(paused)")
        let summary = try #require(result.stderr.split(separator: "\n").last { $0.contains("\"summary\"") })
        let object = try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any]
        #expect(object?["throttled"] as? Int == limiter.refusals)
        #expect(object?["paused"] as? Double != nil)
    }

    @Test func aBadRateIsLoudEvenForARunThatMakesNoRequest() async throws {
        for (flags, environment, expected) in [
            (["--rate", "0"], [:], "--rate = 0.0 is not a rate"),
            (["--rate", "fast"], [:], "The value 'fast' is invalid for '--rate <rate>'"),
            ([], ["CASPIO_RATE": "-2", "CASPIO_ACCOUNT": "c1abc123", "CASPIO_CLIENT_ID": "i", "CASPIO_CLIENT_SECRET": "s"],
             "CASPIO_RATE = -2.0 is not a rate"),
        ] {
            let script = flags.isEmpty ? "caspio.get('tables')" : "print('ran')"
            let result = try await caspio(flags + ["-e", script], environment: environment.merging(["CASPIO_CONFIG": "/nonexistent"]) { $1 })
            #expect(result.status == 2, "\(result.stderr)")
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            #expect(result.stdout.isEmpty)
        }
    }
}
