@testable import CaspioSandbox
import Foundation
import Testing

/// A sandbox left serving (`caspio sandbox`) does not keep every token it ever issued: expired
/// ones are dropped as new ones are issued, on the sandbox's clock (here dates the test
/// gives: virtual time), and no token answers differently for it.
@Suite struct TokenPruningTests {
    static let start = Date(timeIntervalSince1970: 1_780_000_000)
    static let hour = 3600.0, day = 86_400.0

    /// Issues a grant at `now` (a new refresh token with it): its access and refresh token.
    static func grant(_ tokens: inout Tokens, now: Date, accessTTL: Double = 86_399, refreshTTL: Double = 60 * day) -> (access: String, refresh: String) {
        _ = tokens.issue(grant: "client_credentials", accessTTL: accessTTL, refreshTTL: refreshTTL, newRefresh: true, now: now)
        let pair = tokens.issued.suffix(2)
        return (pair.first!, pair.last!)
    }

    /// A grant an hour for 200 days: a day of access tokens and 60 days of refresh tokens are
    /// valid at any time, and a day more of each kept expired; what is held stays within twice
    /// that, not the 4,800 issued.
    @Test func expiredTokensAreDroppedAsNewOnesAreIssued() {
        var tokens = Tokens()
        var now = Self.start
        for _ in 0..<(200 * 24) {
            _ = Self.grant(&tokens, now: now)
            now = now.addingTimeInterval(Self.hour)
        }
        #expect(tokens.accessTokens.count <= 2 * (2 * 24 + 1), "\(tokens.accessTokens.count) access tokens kept")
        #expect(tokens.refreshTokens.count <= 2 * (61 * 24 + 1), "\(tokens.refreshTokens.count) refresh tokens kept")
    }

    /// Valid tokens stay valid until they expire; an expired one is refused as an unknown one
    /// is, dropped or not; a clock set back (tests set the sandbox's clock both ways) finds a
    /// token that expired lately as it was, as before any were dropped.
    @Test func droppingChangesNoAnswer() {
        var tokens = Tokens()
        let old = Self.grant(&tokens, now: Self.start, accessTTL: Self.hour, refreshTTL: 2 * Self.hour)
        let now = Self.start.addingTimeInterval(10 * Self.day)
        let lately = Self.grant(&tokens, now: now.addingTimeInterval(-2 * Self.hour), accessTTL: Self.hour, refreshTTL: Self.hour)
        var valid: [(access: String, refresh: String)] = []
        for _ in 0..<500 { valid.append(Self.grant(&tokens, now: now)) }
        #expect(tokens.accessTokens[old.access] == nil && tokens.refreshTokens[old.refresh] == nil, "expired 10 days ago: dropped")
        for token in [old, lately, (access: "unknown", refresh: "unknown")] {
            #expect(!tokens.isValid(access: token.access, now: now) && !tokens.isValid(refresh: token.refresh, now: now))
        }
        let setBack = now.addingTimeInterval(-90 * 60)
        #expect(tokens.isValid(access: lately.access, now: setBack) && tokens.isValid(refresh: lately.refresh, now: setBack))
        for token in valid {
            #expect(tokens.isValid(access: token.access, now: now.addingTimeInterval(86_398)))
            #expect(!tokens.isValid(access: token.access, now: now.addingTimeInterval(86_399)))
            #expect(tokens.isValid(refresh: token.refresh, now: now.addingTimeInterval(60 * Self.day - 1)))
        }
    }
}
