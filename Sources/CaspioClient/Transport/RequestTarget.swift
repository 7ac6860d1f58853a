import Foundation

/// Builds request URLs: a path relative to the base URL (or an absolute URL on the base URL's
/// origin only, so that the bearer token never goes anywhere else), query parameters
/// percent-encoded as RFC 3986 requires, and Caspio's 2,047-character URI limit.
public struct RequestTarget: Sendable {
    public static let maxURILength = 2047

    public let baseURL: URL

    public init(baseURL: URL) { self.baseURL = baseURL }

    public func url(for path: String, query: [(String, String)] = [], method: String = "GET") throws(CaspioError)
        -> String
    {
        var url: String
        if path.hasPrefix("http://") || path.hasPrefix("https://") {
            guard let absolute = URL(string: path), sameOrigin(absolute, baseURL) else {
                throw CaspioError(
                    .config,
                    "refusing to send the token to \(Self.origin(of: path)): absolute URLs must be on \(Self.origin(of: baseURL.absoluteString)) (use a path relative to the base URL)",
                    method: method, url: path)
            }
            url = path
        } else {
            var base = baseURL.absoluteString
            while base.hasSuffix("/") { base.removeLast() }
            url = base + "/" + path.drop { $0 == "/" }
        }
        if !query.isEmpty {
            let encoded = query.map { percentEncode($0.0) + "=" + percentEncode($0.1) }.joined(separator: "&")
            url += (url.contains("?") ? "&" : "?") + encoded
        }
        guard url.utf8.count <= Self.maxURILength else {
            throw CaspioError(
                .config,
                "the request URI is \(url.utf8.count) characters long; Caspio accepts at most \(Self.maxURILength). Shorten q.where or q.select, or split the request",
                method: method, url: String(Self.readable(url).prefix(120)) + "…")
        }
        return url
    }

    /// The URL as people read it, for errors and logs: each parameter decoded on its own
    /// (`q.where=State = 'CA'`, not `q.where=State%20%3D%20%27CA%27`), except what would hide
    /// where one ends: a `&` inside a name or value stays `%26`, control characters stay
    /// encoded. Never sent anywhere.
    public static func readable(_ url: String) -> String {
        guard let mark = url.firstIndex(of: "?") else { return url }
        let parameters = url[url.index(after: mark)...].split(separator: "&", omittingEmptySubsequences: false).map { parameter in
            parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map { part in
                guard let decoded = String(part).removingPercentEncoding else { return String(part) }
                return boundarySafe(decoded)
            }.joined(separator: "=")
        }
        return url[...mark] + parameters.joined(separator: "&")
    }

    private static func boundarySafe(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "&" || scalar.value < 0x20 || scalar.value == 0x7f {
                out += "%" + hex2(UInt8(scalar.value))
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        a.scheme?.lowercased() == b.scheme?.lowercased() && a.host?.lowercased() == b.host?.lowercased()
            && (a.port ?? defaultPort(a)) == (b.port ?? defaultPort(b))
    }

    private func defaultPort(_ url: URL) -> Int { url.scheme?.lowercased() == "http" ? 80 : 443 }

    static func origin(of url: String) -> String {
        guard let parsed = URL(string: url), let scheme = parsed.scheme, let host = parsed.host else { return url }
        return "\(scheme)://\(host)" + (parsed.port.map { ":\($0)" } ?? "")
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters: spaces, quotes, `%`, `&`,
/// `+`, `=` and non-ASCII in `q.where` all reach the server intact.
public func percentEncode(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for byte in text.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
            UInt8(ascii: "~"):
            out.unicodeScalars.append(UnicodeScalar(byte))
        default:
            out += "%" + hex2(byte)
        }
    }
    return out
}

private func hex2(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
}
