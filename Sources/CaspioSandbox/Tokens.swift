import Foundation

/// OAuth 2.0 as Caspio's token endpoint does it (API-NOTES.md, "Authentication"): access and
/// refresh tokens with their own lifetimes, grants counted by type. Guarded by `Sandbox`'s lock.
struct Tokens {
    var accessTokens: [String: Date] = [:]
    var refreshTokens: [String: Date] = [:]
    var grants: [String: Int] = [:]
    /// The tokens issued lately, revoked ones included (for tests that none leaks): at least
    /// the last `remembered`, never twice as many, so that a sandbox serving for months does
    /// not grow without end.
    private(set) var issued: [String] = []
    var remembered = 10_000
    /// How long an expired token is kept after it expires: a clock set back by up to this much
    /// (tests set the sandbox's clock both ways) finds it valid or expired as it was. Older
    /// ones are dropped, answered as an unknown token is, which is how an expired one is.
    static let expiredKept: TimeInterval = 86_400
    /// How many tokens of each kind are held when the next issue drops the long expired: twice
    /// as many as were left, so that dropping costs little per token issued.
    private var pruneAt = (access: 64, refresh: 64)

    mutating func issue(grant: String, accessTTL: Double, refreshTTL: Double, newRefresh: Bool, now: Date) -> JSON {
        grants[grant, default: 0] += 1
        prune(now: now)
        let access = Self.randomToken()
        accessTokens[access] = now.addingTimeInterval(accessTTL)
        remember(access)
        var body: [(String, JSON)] = [
            ("access_token", .string(access)), ("token_type", .string("bearer")), ("expires_in", .int(Int(accessTTL.rounded(.down)))),
        ]
        if newRefresh {
            let refresh = Self.randomToken()
            refreshTokens[refresh] = now.addingTimeInterval(refreshTTL)
            remember(refresh)
            body.append(("refresh_token", .string(refresh)))
        }
        return .object(body)
    }

    /// Drops the tokens expired for longer than `expiredKept`, so that a sandbox left serving
    /// holds about what is valid, not every token it issued.
    private mutating func prune(now: Date) {
        let cutoff = now.addingTimeInterval(-Self.expiredKept)
        Self.prune(&accessTokens, at: &pruneAt.access, cutoff: cutoff)
        Self.prune(&refreshTokens, at: &pruneAt.refresh, cutoff: cutoff)
    }

    private static func prune(_ tokens: inout [String: Date], at limit: inout Int, cutoff: Date) {
        guard tokens.count >= limit else { return }
        tokens = tokens.filter { $0.value > cutoff }
        limit = max(64, 2 * tokens.count)
    }

    private mutating func remember(_ token: String) {
        issued.append(token)
        if issued.count >= 2 * remembered { issued.removeFirst(issued.count - remembered) }
    }

    func isValid(access token: String, now: Date) -> Bool { accessTokens[token].map { $0 > now } ?? false }
    func isValid(refresh token: String, now: Date) -> Bool { refreshTokens[token].map { $0 > now } ?? false }

    /// Revokes every access token; refresh tokens stay, so clients renew without the secret.
    mutating func revokeAccessTokens() { accessTokens.removeAll() }

    private static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }.joined()
    }
}

/// `Authorization: Basic base64(id:secret)` split into its parts.
func basicCredentials(_ header: String?) -> (String, String)? {
    guard let header, header.lowercased().hasPrefix("basic "),
        let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces))
    else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    guard let colon = text.firstIndex(of: ":") else { return nil }
    return (String(text[..<colon]), String(text[text.index(after: colon)...]))
}
