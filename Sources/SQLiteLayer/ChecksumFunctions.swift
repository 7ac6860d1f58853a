import CSQLite

/// T-SQL's BINARY_CHECKSUM and CHECKSUM_AGG on a SQLite connection, for the sandbox's clauses
/// (whether Caspio allows them is the sandbox's choice, `V4Choices.checksumFunctions`).
/// BINARY_CHECKSUM(a, b, …) is an int of its arguments' values and their order, NULL included;
/// CHECKSUM_AGG(x) combines the ints of a group with XOR, as SQL Server's does, so the rows'
/// order does not matter, NULLs are skipped and no rows give NULL. Values, not SQL Server's
/// bytes: a sandbox's checksums are its own, and only compare with each other.
extension SQLiteConnection {
    public func defineChecksumFunctions() throws(Failure) {
        let db = try open()
        let flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC
        let scalar = sqlite3_create_function_v2(db, "BINARY_CHECKSUM", -1, flags, nil, { context, count, arguments in
            // FNV-1a over each value's storage class and bytes.
            var hash: UInt32 = 2_166_136_261
            func mix(_ byte: UInt8) { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            func mix(word: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { mix(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
            for index in 0..<Int(count) {
                let value = arguments![index]
                let type = sqlite3_value_type(value)
                mix(UInt8(type))
                switch type {
                case SQLITE_INTEGER: mix(word: UInt64(bitPattern: sqlite3_value_int64(value)))
                case SQLITE_FLOAT: mix(word: sqlite3_value_double(value).bitPattern)
                case SQLITE_TEXT, SQLITE_BLOB:
                    let bytes = type == SQLITE_TEXT ? UnsafeRawPointer(sqlite3_value_text(value)) : sqlite3_value_blob(value)
                    let length = Int(sqlite3_value_bytes(value))
                    if let bytes { UnsafeRawBufferPointer(start: bytes, count: length).forEach(mix) }
                    mix(word: UInt64(length))
                default: break
                }
            }
            sqlite3_result_int64(context, Int64(Int32(bitPattern: hash)))
        }, nil, nil, nil)
        let aggregate = sqlite3_create_function_v2(db, "CHECKSUM_AGG", 1, flags, nil, nil, { context, _, arguments in
            guard let value = arguments?[0], sqlite3_value_type(value) != SQLITE_NULL,
                let state = sqlite3_aggregate_context(context, Int32(MemoryLayout<Int64>.size * 2))?.assumingMemoryBound(to: Int64.self)
            else { return }
            state[0] ^= Int64(Int32(truncatingIfNeeded: sqlite3_value_int64(value)))
            state[1] = 1
        }, { context in
            // No row (or only NULLs) reached the step: no state was made, and the result is NULL.
            guard let state = sqlite3_aggregate_context(context, 0)?.assumingMemoryBound(to: Int64.self), state[1] == 1 else {
                sqlite3_result_null(context)
                return
            }
            sqlite3_result_int64(context, state[0])
        }, nil)
        guard scalar == SQLITE_OK, aggregate == SQLITE_OK else { throw Failure(description: String(cString: sqlite3_errmsg(db))) }
    }
}
