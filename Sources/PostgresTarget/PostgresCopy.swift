import CaspioClient
import Foundation
import NIOCore
import PostgresNIO
import SQLiteLayer

/// A mirror's bulk writes on PostgreSQL: COPY … FROM STDIN, one round trip for a page of rows
/// where INSERT statements take one per hundred. COPY cannot skip a key already there (a page
/// read twice), so the rows go into a temporary stage table first, and move from it into the
/// table with ON CONFLICT DO NOTHING in one statement. The stage lives until the transaction
/// ends (a mirror writes each table inside one), so no reader ever sees it.
extension PostgresTarget {
    public func append(into table: String, columns: [String], values: [SQLValue]) throws -> Bool {
        // postgres-nio writes COPY's names between double quotes without doubling quotes inside.
        guard !columns.isEmpty, !([table] + columns).contains(where: { $0.contains("\"") }) else { return false }
        guard let connection else { throw Failure(description: "the connection is closed") }
        let stage = table + "__caspio_stage"
        let quoted = { (name: String) in "\"" + name + "\"" }
        let list = columns.map(quoted).joined(separator: ", ")
        // Only the columns sent, without the table's constraints: a column of the reader's own
        // (NOT NULL with a default) must not refuse rows the COPY leaves it out of.
        try execute("CREATE TEMP TABLE IF NOT EXISTS \(quoted(stage)) ON COMMIT DROP AS SELECT \(list) FROM \(quoted(table)) WITH NO DATA")
        var data = ByteBufferAllocator().buffer(capacity: values.count * 12)
        for (index, value) in values.enumerated() {
            Self.copyText(value, into: &data)
            data.writeStaticString((index + 1) % columns.count == 0 ? "\n" : "\t")
        }
        let logger = quiet
        let rows = data
        do {
            try blocking { () async throws in
                try await connection.copyFrom(table: stage, columns: columns, logger: logger) { writer in
                    try await writer.write(rows)
                }
            }
        } catch {
            throw Failure(description: Self.describe(error))
        }
        try execute("WITH moved AS (DELETE FROM \(quoted(stage)) RETURNING \(list)) INSERT INTO \(quoted(table)) (\(list)) SELECT \(list) FROM moved ON CONFLICT DO NOTHING")
        return true
    }

    /// A value in COPY's text format: `\N` for NULL; backslash, tab, newline and carriage
    /// return escaped; the rest as `run` binds it.
    static func copyText(_ value: SQLValue, into buffer: inout ByteBuffer) {
        switch value {
        case .null: buffer.writeStaticString("\\N")
        case .integer(let i): buffer.writeString(String(i))
        case .real(let d): buffer.writeString(text(d))
        case .blob(let b):
            buffer.writeStaticString("\\\\x")
            for byte in b { buffer.writeString(String(format: "%02x", byte)) }
        case .text(let s):
            guard s.utf8.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                buffer.writeString(s)
                return
            }
            for byte in s.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
                case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
                case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
                default: buffer.writeInteger(byte)
                }
            }
        }
    }
}
