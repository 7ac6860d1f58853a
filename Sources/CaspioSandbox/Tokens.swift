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

    mutating func issue(grant: String, accessTTL: Double, refreshTTL: Double, newRefresh: Bool, now: Date) -> JSON {
        grants[grant, default: 0] += 1
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
