import CaspioClient
import Crypto
import Foundation

/// Tokens at rest: AES-256-GCM with a key derived (HKDF-SHA256) from the client secret, bound
/// to the token URL and client id, which are also the authenticated data. A database reader
/// without the secret learns neither token; a row copied to another client fails to open.
struct TokenSealing: Sendable {
    let key: SymmetricKey
    let context: Data

    init(secret: Secret, tokenURL: String, clientID: String) {
        context = Data((tokenURL + "\n" + clientID).utf8)
        key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: SymmetricKey(data: Data(secret.reveal().utf8)), salt: Data("caspio-lua token store v1".utf8),
            info: context, outputByteCount: 32)
    }

    private struct Sealed: Codable {
        var access_token: String
        var refresh_token: String?
        var token_type: String
        var expires_at: Double?
        var obtained_at: Double
        var grant: String
    }

    func seal(_ token: TokenSet) throws -> Data {
        let plain = Sealed(
            access_token: token.accessToken.reveal(), refresh_token: token.refreshToken?.reveal(), token_type: token.tokenType,
            expires_at: token.expiresAt?.timeIntervalSince1970, obtained_at: token.obtainedAt.timeIntervalSince1970,
            grant: token.grant.rawValue)
        guard let combined = try AES.GCM.seal(JSONEncoder().encode(plain), using: key, authenticating: context).combined else {
            throw CaspioError(.config, "cannot encrypt the token")
        }
        return combined
    }

    /// nil when the data was sealed with another key (the secret changed) or is damaged.
    func open(_ data: Data) -> TokenSet? {
        guard let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key, authenticating: context),
            let sealed = try? JSONDecoder().decode(Sealed.self, from: plain), !sealed.access_token.isEmpty
        else { return nil }
        return TokenSet(
            accessToken: Secret(sealed.access_token), tokenType: sealed.token_type, refreshToken: sealed.refresh_token.map(Secret.init),
            expiresAt: sealed.expires_at.map(Date.init(timeIntervalSince1970:)), obtainedAt: Date(timeIntervalSince1970: sealed.obtained_at),
            source: .cache, grant: TokenSet.Grant(rawValue: sealed.grant) ?? .clientCredentials)
    }
}
