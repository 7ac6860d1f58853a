import CaspioClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import PostgresNIO

/// caspio.state in `caspio.state`, one row per script name. A write is a single statement,
/// hence its own transaction: a kill -9 leaves the old value or the new one.
struct PostgresState: ScriptStateStore {
    let store: PostgresStore
    let name: String

    var location: String { "\(store.url.display) (caspio.state '\(name)')" }

    func read() throws(CaspioError) -> [UInt8]? {
        let (store, name) = (store, name)
        return try blocking { () async throws(CaspioError) -> [UInt8]? in
            try await store.withConnection { connection -> [UInt8]? in
                let rows = try await connection.query("SELECT value FROM caspio.state WHERE script = \(name)", logger: store.quiet)
                for try await value in rows.decode(String.self) { return Array(value.utf8) }
                return nil
            }
        }
    }

    func write(_ bytes: [UInt8]) throws(CaspioError) {
        let (store, name, text) = (store, name, String(decoding: bytes, as: UTF8.self))
        try blocking { () async throws(CaspioError) in
            try await store.withConnection { connection -> Void in
                _ = try await connection.query(
                    """
                    INSERT INTO caspio.state (script, value, updated_at) VALUES (\(name), \(text), now())
                    ON CONFLICT (script) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
                    """, logger: store.quiet)
            }
        }
    }
}
