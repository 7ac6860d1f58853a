import CaspioClient
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PostgresNIO

/// The tables, in a schema of their own (`caspio`), with a version in `caspio.meta`. A newer
/// version than this caspio knows is refused, never altered.
public enum Schema {
    public static let version = 1

    public enum Outcome: Sendable, Equatable {
        case created
        case present(version: Int)
    }

    static let statements = [
        "CREATE SCHEMA IF NOT EXISTS caspio",
        "CREATE TABLE IF NOT EXISTS caspio.meta (key text PRIMARY KEY, value text NOT NULL)",
        // sealed: AES-GCM of the token set (TokenSealing); the URL and client id are not secret.
        """
        CREATE TABLE IF NOT EXISTS caspio.tokens (token_url text NOT NULL, client_id text NOT NULL, sealed bytea NOT NULL,
            expires_at timestamptz, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (token_url, client_id))
        """,
        """
        CREATE TABLE IF NOT EXISTS caspio.state (script text PRIMARY KEY, value text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now())
        """,
        // One row per (account, UTC day, profile, script), like the file ledger's compacted lines.
        """
        CREATE TABLE IF NOT EXISTS caspio.usage (account text NOT NULL, day text NOT NULL, profile text NOT NULL,
            script text NOT NULL, requests bigint NOT NULL, PRIMARY KEY (account, day, profile, script))
        """,
        "INSERT INTO caspio.meta (key, value) VALUES ('schema_version', '\(version)') ON CONFLICT (key) DO NOTHING",
    ]

    /// Reads the version (one query when the tables exist); creates the tables when absent.
    static func prepare(_ store: PostgresStore) async throws(CaspioError) -> Outcome {
        let outcome = try await store.withConnection { connection -> Outcome in
            if let found = try await current(connection, store) { return .present(version: found) }
            try await connection.query("BEGIN", logger: store.quiet)
            do {
                // Two hosts creating at once would collide on the catalog: one waits.
                try await connection.query("SELECT pg_advisory_xact_lock(\(AdvisoryKey.make("schema")))", logger: store.quiet)
                for statement in statements { try await connection.query(PostgresQuery(unsafeSQL: statement), logger: store.quiet) }
                try await connection.query("COMMIT", logger: store.quiet)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: store.quiet)
                throw error
            }
            return .created
        }
        if case .present(let found) = outcome, found != version {
            throw CaspioError(
                .config,
                found > version
                    ? "the store \(store.url.display) has caspio's tables at schema version \(found), newer than version \(version), the one this caspio knows: upgrade caspio on this host (nothing was changed in the database)"
                    : "the store \(store.url.display) has caspio's tables at schema version \(found), which this caspio (version \(version)) cannot read")
        }
        return outcome
    }

    /// The version in caspio.meta; nil when the tables are not there yet.
    private static func current(_ connection: PostgresConnection, _ store: PostgresStore) async throws -> Int? {
        do {
            let rows = try await connection.query("SELECT value FROM caspio.meta WHERE key = 'schema_version'", logger: store.quiet)
            for try await value in rows.decode(String.self) { return Int(value) ?? -1 }
            return nil
        } catch let error as PSQLError where ["42P01", "3F000"].contains(error.serverInfo?[.sqlState] ?? "") {
            return nil  // undefined table or schema
        }
    }
}

/// Advisory lock keys: the first 8 bytes of SHA-256 over a purpose and its parts, so that
/// caspio's keys do not collide with each other (nor, in practice, with other programs').
enum AdvisoryKey {
    static func make(_ purpose: String, _ parts: String...) -> Int64 {
        let text = (["caspio-lua", purpose] + parts).joined(separator: "\u{0}")
        let digest = Array(SHA256.hash(data: Data(text.utf8)))
        return Int64(bitPattern: digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }
}
