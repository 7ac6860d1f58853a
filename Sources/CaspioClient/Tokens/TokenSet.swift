import Foundation

/// An access token with what is known about it. Tokens are `Secret`s: they print as
/// `<redacted>`.
public struct TokenSet: Sendable {
    public enum Source: String, Sendable {
        /// Read from the token cache (another run, or another process, obtained it).
        case cache
        /// Obtained from the token endpoint by this process.
        case network
    }

    public enum Grant: String, Sendable {
        case clientCredentials = "client_credentials"
        case refreshToken = "refresh_token"
    }

    public var accessToken: Secret
    public var tokenType: String
    public var refreshToken: Secret?
    /// Absolute expiry; nil when the server did not say (then renewal happens on 401 only).
    public var expiresAt: Date?
    public var obtainedAt: Date
    public var source: Source
    public var grant: Grant

    public init(
        accessToken: Secret, tokenType: String, refreshToken: Secret?, expiresAt: Date?, obtainedAt: Date,
        source: Source, grant: Grant
    ) {
        (self.accessToken, self.tokenType, self.refreshToken) = (accessToken, tokenType, refreshToken)
        (self.expiresAt, self.obtainedAt, self.source, self.grant) = (expiresAt, obtainedAt, source, grant)
    }

    /// Seconds the token was issued for, when known.
    public var lifetime: Double? { expiresAt.map { $0.timeIntervalSince(obtainedAt) } }

    /// How long before expiry a token is renewed: a few minutes for a day-long token, a
    /// quarter of a short one (never more than half).
    static func renewalMargin(lifetime: Double) -> Double { min(300, max(0, lifetime) / 4) }

    /// Whether the token should be renewed before its next use.
    public func needsRenewal(at now: Date) -> Bool {
        guard let expiresAt, let lifetime else { return false }
        return now >= expiresAt.addingTimeInterval(-Self.renewalMargin(lifetime: lifetime))
    }
}

extension TokenSet {
    /// Parses a token endpoint's 2xx answer: tolerant in form (`token_type` in any case,
    /// `expires_in` as number or string), strict in substance (an access token, of type bearer).
    /// A refresh answer without `refresh_token` keeps `previousRefreshToken`.
    static func parse(
        _ body: [UInt8], status: Int, contentType: String?, grant: Grant, now: Date, previousRefreshToken: Secret?,
        redacting secrets: [Secret]
    ) throws(CaspioError) -> TokenSet {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw CaspioError(
                .auth,
                "the token endpoint answered HTTP \(status)\(contentType.map { " (\($0))" } ?? "") with something that is not a JSON object: \(excerpt(body, redacting: secrets))",
                status: status)
        }
        guard let access = object["access_token"] as? String, !access.isEmpty else {
            throw CaspioError(.auth, "the token endpoint's answer has no access_token", status: status)
        }
        let type = (object["token_type"] as? String) ?? "bearer"
        guard type.lowercased() == "bearer" else {
            throw CaspioError(.auth, "the token endpoint issued a token of type '\(type)', not bearer", status: status)
        }
        var lifetime: Double?
        switch object["expires_in"] {
        case let number as NSNumber: lifetime = number.doubleValue
        case let text as String: lifetime = Double(text.trimmingCharacters(in: .whitespaces))
        default: lifetime = nil
        }
        if let value = lifetime, !(value.isFinite && value > 0) { lifetime = nil }
        let refresh = (object["refresh_token"] as? String).flatMap { $0.isEmpty ? nil : Secret($0) }
        return TokenSet(
            accessToken: Secret(access), tokenType: "bearer", refreshToken: refresh ?? previousRefreshToken,
            expiresAt: lifetime.map { now.addingTimeInterval($0) }, obtainedAt: now, source: .network, grant: grant)
    }
}

/// The first bytes of a body for an error message, with any secret blanked out.
func excerpt(_ body: [UInt8], redacting secrets: [Secret], limit: Int = 120) -> String {
    // Redacted before anything is escaped or cut, in every form a secret travels in.
    var text = String(decoding: body.prefix(limit * 4), as: UTF8.self)
    text = SecretForms.redact(text, secrets.filter { !$0.isEmpty }.reduce(into: Set<String>()) { $0.formUnion(SecretForms.of($1.reveal())) })
    text = SecretRedactor.shared.redact(text)
    text = text.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    if text.isEmpty { return "(empty body)" }
    return text.count > limit ? "\"\(text.prefix(limit))…\"" : "\"\(text)\""
}
