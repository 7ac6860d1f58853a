import CaspioClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import PostgresNIO

/// The token cache in `caspio.tokens`: read → renew → write inside one transaction holding
/// an advisory lock keyed by (token URL, client id), so that any number of hosts starting
/// with no token make a single grant; the others wait and read it.
struct PostgresTokens: TokenStore {
    let store: PostgresStore
    let tokenURL: String
    let clientID: String
    let sealing: TokenSealing

    init(store: PostgresStore, tokenURL: String, clientID: String, secret: Secret) {
        self.store = store
        self.tokenURL = tokenURL
        self.clientID = clientID
        sealing = TokenSealing(secret: secret, tokenURL: tokenURL, clientID: clientID)
    }

    var location: String { "\(store.url.display) (caspio.tokens)" }

    func withLock<T: Sendable>(_ body: @escaping @Sendable (any TokenSlot) async throws -> T) async throws -> T {
        let key = AdvisoryKey.make("token", tokenURL, clientID)
        return try await store.transaction { connection in
            // Released at COMMIT or ROLLBACK, or when the connection drops: never left behind.
            try await connection.query("SELECT pg_advisory_xact_lock(\(key))", logger: store.quiet)
            return try await body(Slot(tokens: self, connection: connection))
        }
    }

    struct Slot: TokenSlot {
        let tokens: PostgresTokens
        let connection: PostgresConnection

        func read() async throws -> TokenSet? {
            let rows = try await connection.query(
                "SELECT sealed FROM caspio.tokens WHERE token_url = \(tokens.tokenURL) AND client_id = \(tokens.clientID)",
                logger: tokens.store.quiet)
            for try await sealed in rows.decode(ByteBuffer.self) {
                if let token = tokens.sealing.open(Data(sealed.readableBytesView)) { return token }
                tokens.store.logger.warning(
                    "ignoring the token in \(tokens.location): it does not open with this client secret (was the secret changed?); it will be replaced")
            }
            return nil
        }

        func write(_ token: TokenSet) async throws {
            let sealed = ByteBuffer(bytes: try tokens.sealing.seal(token))
            try await connection.query(
                """
                INSERT INTO caspio.tokens (token_url, client_id, sealed, expires_at, updated_at)
                VALUES (\(tokens.tokenURL), \(tokens.clientID), \(sealed), \(token.expiresAt), now())
                ON CONFLICT (token_url, client_id) DO UPDATE SET sealed = EXCLUDED.sealed, expires_at = EXCLUDED.expires_at, updated_at = now()
                """, logger: tokens.store.quiet)
        }

        func delete() async throws -> Bool {
            let rows = try await connection.query(
                "DELETE FROM caspio.tokens WHERE token_url = \(tokens.tokenURL) AND client_id = \(tokens.clientID) RETURNING 1",
                logger: tokens.store.quiet)
            var deleted = false
            for try await _ in rows.decode(Int32.self) { deleted = true }
            return deleted
        }
    }
}
