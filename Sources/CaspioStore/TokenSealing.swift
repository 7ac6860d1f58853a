import CaspioClient
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

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

    func seal(_ token: TokenSet) throws -> Data {
        guard let combined = try AES.GCM.seal(JSONEncoder().encode(StoredToken(token)), using: key, authenticating: context).combined else {
            throw CaspioError(.config, "cannot encrypt the token")
        }
        return combined
    }

    /// nil when the data was sealed with another key (the secret changed) or is damaged.
    func open(_ data: Data) -> TokenSet? {
        guard let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: key, authenticating: context)
        else { return nil }
        return (try? JSONDecoder().decode(StoredToken.self, from: plain))?.token
    }
}
