#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// A token as caspio keeps it at rest, one shape for the cache file's JSON and the shared
/// store's sealed rows, so that the two cannot drift. Holds the secrets in plain text: only
/// ever encoded straight into a 0600 file or a sealed box.
public struct StoredToken: Codable, Sendable {
    /// The cache file's own: its format, and the endpoint and client it belongs to.
    public var version: Int?
    public var token_url: String?
    public var client_id: String?

    var access_token: String
    var refresh_token: String?
    var token_type: String?
    var expires_at: Double?
    var obtained_at: Double
    var grant: String?

    public init(_ token: TokenSet, tokenURL: String? = nil, clientID: String? = nil) {
        (version, token_url, client_id) = (tokenURL == nil ? nil : 1, tokenURL, clientID)
        access_token = token.accessToken.reveal()
        refresh_token = token.refreshToken?.reveal()
        token_type = token.tokenType
        expires_at = token.expiresAt?.timeIntervalSince1970
        obtained_at = token.obtainedAt.timeIntervalSince1970
        grant = token.grant.rawValue
    }

    /// The token, read back (source `.cache`); nil when it has no access token.
    public var token: TokenSet? {
        guard !access_token.isEmpty else { return nil }
        return TokenSet(
            accessToken: Secret(access_token), tokenType: token_type ?? "bearer", refreshToken: refresh_token.map(Secret.init),
            expiresAt: expires_at.map(Date.init(timeIntervalSince1970:)), obtainedAt: Date(timeIntervalSince1970: obtained_at),
            source: .cache, grant: TokenSet.Grant(rawValue: grant ?? "") ?? .clientCredentials)
    }
}
