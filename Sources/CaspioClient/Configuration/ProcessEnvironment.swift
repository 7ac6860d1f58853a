import Glibc

/// The process's environment as `ProcessInfo.processInfo.environment` reads it, without its
/// cost: that builds the whole dictionary at each use, finding each entry's `=` Character by
/// Character, and a plain `caspio -e ''` asked for it eight times (BENCHMARKS.md, start-up).
/// The same entries give the same names and values: each decoded as `String(cString:)` does
/// (ill-formed UTF-8 repaired), split at its first Character `=`, an entry without one left
/// out, a later entry of an equal name replacing an earlier one.
public enum ProcessEnvironment {
    /// A list of `NAME=value` entries ending in a null pointer, as `environ`.
    typealias Entries = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>

    /// Every variable.
    public static var all: [String: String] { all(in: environ) }

    /// The variable `name`, as `all[name]` would have it, without making `all`.
    public static func value(of name: String) -> String? { value(of: name, in: environ) }

    /// The variables of `names` that are set, for code that reads a few from a dictionary.
    public static func only(_ names: [String]) -> [String: String] {
        var variables: [String: String] = [:]
        for name in names {
            if let value = value(of: name) { variables[name] = value }
        }
        return variables
    }

    static func all(in entries: Entries?) -> [String: String] {
        var variables: [String: String] = [:]
        forEach(in: entries) { entry in
            if let (name, value) = split(entry) { variables[name] = value }
        }
        return variables
    }

    static func value(of name: String, in entries: Entries?) -> String? {
        var found: String?
        var spelled = name
        spelled.withUTF8 { wanted in
            let ascii = wanted.allSatisfy { $0 < 0x80 }
            forEach(in: entries) { entry in
                // Two names all ASCII are equal when their bytes are; any other pair is
                // compared as Strings are (Unicode equivalence), as the dictionary would.
                if ascii, let length = asciiNameLength(entry) {
                    guard length == wanted.count, length == 0 || memcmp(entry, wanted.baseAddress!, length) == 0 else { return }
                    found = String(cString: entry + length + 1)
                } else if let (entryName, value) = split(entry), entryName == name {
                    found = value
                }
            }
        }
        return found
    }

    private static func forEach(in entries: Entries?, _ body: (UnsafePointer<CChar>) -> Void) {
        guard var entry = entries else { return }
        while let pointer = entry.pointee {
            body(pointer)
            entry += 1
        }
    }

    /// The length of the entry's name when the name is all ASCII and its first `=` byte is a
    /// Character of its own (ASCII, or nothing, after it: nothing joins an ASCII scalar to its
    /// neighbours but CR LF), so that the bytes before it are the name; nil otherwise.
    private static func asciiNameLength(_ entry: UnsafePointer<CChar>) -> Int? {
        var index = 0
        while true {
            let byte = UInt8(bitPattern: entry[index])
            if byte == 0 || byte >= 0x80 { return nil }
            if byte == UInt8(ascii: "=") { break }
            index += 1
        }
        return UInt8(bitPattern: entry[index + 1]) < 0x80 ? index : nil
    }

    /// An entry's name and value, exactly as ProcessInfo splits it.
    private static func split(_ entry: UnsafePointer<CChar>) -> (String, String)? {
        if let length = asciiNameLength(entry) {
            let name = String(decoding: UnsafeRawBufferPointer(start: entry, count: length), as: UTF8.self)
            return (name, String(cString: entry + length + 1))
        }
        let text = String(cString: entry)
        guard let equals = text.firstIndex(of: "=") else { return nil }
        return (String(text[..<equals]), String(text[text.index(after: equals)...]))
    }
}
