/// Why JSON text could not be decoded, or a Lua value could not be encoded.
public struct JSONError: Error, CustomStringConvertible, Equatable {
    /// What went wrong, e.g. "expected ':' after object key".
    public var message: String
    /// For decode errors: the 1-based byte offset where the problem was found.
    public var offset: Int?
    /// For encode errors: where the bad value sits, e.g. `$.rows[3].price` (Lua indices).
    public var path: String?

    public init(message: String, offset: Int? = nil, path: String? = nil) {
        self.message = message
        self.offset = offset
        self.path = path
    }

    public var description: String {
        if let offset { return "json: \(message) at byte \(offset)" }
        if let path { return "json: \(message) at \(path)" }
        return "json: \(message)"
    }
}

/// How `LuaJSON.encode` lays out its output.
public struct JSONEncodeOptions: Sendable, Equatable {
    /// Spaces per nesting level; 0 writes compact JSON on one line.
    public var indent: Int
    /// Writes object keys in byte order, so output is stable across runs.
    public var sortKeys: Bool
    /// Tables nested deeper than this are an error (this also stops runaway recursion).
    public var maxDepth: Int

    public init(indent: Int = 0, sortKeys: Bool = false, maxDepth: Int = 1000) {
        self.indent = indent
        self.sortKeys = sortKeys
        self.maxDepth = maxDepth
    }
}
