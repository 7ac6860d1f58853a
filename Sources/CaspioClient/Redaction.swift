import Foundation

/// The forms a secret travels in, and blanking them out of text. A secret is not only seen
/// raw: a form body percent-encodes it, a Basic header base64-encodes `id:secret`, a JSON
/// log line escapes it (a token with a CR/LF in it included), and a wrapped line splits it.
enum SecretForms {
    static let placeholder = "<redacted>"
    /// Shorter forms would blank out ordinary words.
    static let minimumLength = 4

    /// Raw, percent-encoded (either case of hex), form-encoded and JSON-escaped.
    static func of(_ secret: String) -> Set<String> {
        let percent = percentEncode(secret)
        let forms: Set<String> = [
            secret, percent, lowercaseHex(percent), percent.replacingOccurrences(of: "%20", with: "+"),
            jsonEscaped(secret, slashes: false), jsonEscaped(secret, slashes: true),
        ]
        return forms.filter { $0.count >= minimumLength }
    }

    /// An HTTP Basic header's credentials, `base64(id:secret)`, in each of its forms.
    static func basic(id: String, secret: String) -> Set<String> {
        of(Data((id + ":" + secret).utf8).base64EncodedString())
    }

    /// `text` with every occurrence of `forms` (longest first) replaced by the placeholder,
    /// also where a line break (raw or escaped as `\n`/`\r`, with the next line's indentation)
    /// splits one.
    static func redact(_ text: String, _ forms: some Collection<String>) -> String {
        guard !forms.isEmpty else { return text }
        var bytes = Array(text.utf8)
        var changed = false
        for form in forms.sorted(by: { $0.utf8.count > $1.utf8.count }) {
            let pattern = Array(form.utf8)
            if let replaced = replace(pattern, in: bytes) {
                bytes = replaced
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
    }

    private static func replace(_ pattern: [UInt8], in bytes: [UInt8]) -> [UInt8]? {
        guard let first = pattern.first, bytes.contains(first) else { return nil }
        var out: [UInt8] = []
        var (index, changed) = (0, false)
        while index < bytes.count {
            if bytes[index] == first, let end = match(pattern, bytes, from: index) {
                out += placeholder.utf8
                index = end
                changed = true
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return changed ? out : nil
    }

    /// Where a match of `pattern` at `start` ends, or nil.
    private static func match(_ pattern: [UInt8], _ bytes: [UInt8], from start: Int) -> Int? {
        var (i, j) = (start, 0)
        while j < pattern.count {
            guard i < bytes.count else { return nil }
            if bytes[i] == pattern[j] {
                i += 1
                j += 1
            } else if j > 0, let next = skipBreak(bytes, at: i) {
                i = next
            } else {
                return nil
            }
        }
        return i
    }

    /// After one or more line breaks at `index` and the indentation that follows, or nil.
    private static func skipBreak(_ bytes: [UInt8], at index: Int) -> Int? {
        var k = index
        while k < bytes.count {
            if bytes[k] == 10 || bytes[k] == 13 {
                k += 1
            } else if bytes[k] == UInt8(ascii: "\\"), k + 1 < bytes.count, bytes[k + 1] == UInt8(ascii: "n") || bytes[k + 1] == UInt8(ascii: "r") {
                k += 2
            } else {
                break
            }
        }
        guard k > index else { return nil }
        while k < bytes.count, bytes[k] == 32 || bytes[k] == 9 { k += 1 }
        return k
    }

    private static func lowercaseHex(_ percent: String) -> String {
        var out = ""
        var hexLeft = 0
        for character in percent {
            if character == "%" {
                hexLeft = 2
                out.append(character)
            } else if hexLeft > 0 {
                hexLeft -= 1
                out += character.lowercased()
            } else {
                out.append(character)
            }
        }
        return out
    }

    /// As JSON writers escape a string (`/` too, as Foundation's does by default).
    static func jsonEscaped(_ text: String, slashes: Bool) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "/" where slashes: out += "\\/"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let c where c.value < 0x20: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
