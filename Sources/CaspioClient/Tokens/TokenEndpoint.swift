import Foundation

/// The two OAuth 2.0 grants, on the wire exactly as Caspio documents them (API-NOTES.md).
struct TokenEndpoint: Sendable {
    /// A token request's whole exchange: a hung token endpoint must not hold a run (or the
    /// other runs waiting for the cache lock) for the default request timeout.
    static let timeout: Double = 30

    let configuration: ClientConfiguration
    let transport: HTTPTransport
    let counters: Counters

    /// client_credentials: credentials in the form body (default) or an HTTP Basic header.
    func clientCredentials(now: Date = Date()) async throws(CaspioError) -> TokenSet {
        var form = [("grant_type", "client_credentials")]
        var headers: [(String, String)] = []
        switch configuration.authStyle {
        case .body:
            form.append(("client_id", configuration.clientID))
            form.append(("client_secret", configuration.clientSecret.reveal()))
        case .basic:
            headers.append(basicAuthorization)
        }
        return try await grant(.clientCredentials, form: form, headers: headers, previousRefreshToken: nil, now: now)
    }

    /// refresh_token: the refresh token in the body, the client's credentials in Basic.
    func refresh(_ refreshToken: Secret, now: Date = Date()) async throws(CaspioError) -> TokenSet {
        try await grant(
            .refreshToken, form: [("grant_type", "refresh_token"), ("refresh_token", refreshToken.reveal())],
            headers: [basicAuthorization], previousRefreshToken: refreshToken, now: now)
    }

    private var basicAuthorization: (String, String) {
        let pair = configuration.clientID + ":" + configuration.clientSecret.reveal()
        return ("Authorization", "Basic " + Data(pair.utf8).base64EncodedString())
    }

    private func grant(
        _ grant: TokenSet.Grant, form: [(String, String)], headers: [(String, String)], previousRefreshToken: Secret?,
        now: Date
    ) async throws(CaspioError) -> TokenSet {
        let body = Array(formEncode(form).utf8)
        let url = configuration.tokenURL.absoluteString
        counters.countGrant(grant)
        let request = HTTPRequest(
            "POST", url,
            headers: headers + [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: body, timeout: Self.timeout)
        let response: CaspioResponse
        do {
            response = try await transport.send(request)
        } catch {
            var error = error
            error.message = "could not reach the token endpoint: " + error.message
            if error.kind == .http { error.kind = .auth }
            throw error
        }
        let secrets = [configuration.clientSecret] + (previousRefreshToken.map { [$0] } ?? [])
        guard (200..<300).contains(response.status) else {
            throw failure(response, grant: grant, secrets: secrets, url: url)
        }
        transport.logger.info(
            "obtained a token with the \(grant.rawValue) grant",
            metadata: ["grant": "\(grant.rawValue)", "token_url": "\(url)"])
        return try TokenSet.parse(
            response.body, status: response.status, contentType: response.header("Content-Type"), grant: grant,
            now: now, previousRefreshToken: previousRefreshToken, redacting: secrets)
    }

    /// An OAuth error (`{"error": "invalid_grant", "error_description": …}`), Caspio's own
    /// error body, or whatever else came back, as an authentication error.
    private func failure(_ response: CaspioResponse, grant: TokenSet.Grant, secrets: [Secret], url: String)
        -> CaspioError
    {
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any]
        let code = (object?["error"] as? String) ?? (object?["Code"] as? String)
        var detail = (object?["error_description"] as? String) ?? (object?["Message"] as? String)
        if object == nil { detail = excerpt(response.body, redacting: secrets) }
        // An endpoint that echoes the request quotes the secret, percent- or base64-encoded.
        detail = detail.map { SecretRedactor.shared.redact($0) }
        let what = grant == .clientCredentials ? "the client_credentials grant" : "the refresh_token grant"
        var message = "\(what) was refused"
        if let detail, !detail.isEmpty { message += ": \(detail)" }
        if grant == .clientCredentials && (response.status == 400 || response.status == 401) {
            message += " (check the client id and secret of this profile)"
        }
        return CaspioError(
            .auth, message, status: response.status, code: code,
            requestID: response.header("X-Caspio-Request-ID") ?? (object?["RequestId"] as? String), method: "POST",
            url: url)
    }
}

/// application/x-www-form-urlencoded, as browsers and OAuth servers expect.
func formEncode(_ pairs: [(String, String)]) -> String {
    pairs.map { formEscape($0.0) + "=" + formEscape($0.1) }.joined(separator: "&")
}

/// Form encoding is RFC 3986 percent-encoding with spaces as `+`.
private func formEscape(_ text: String) -> String {
    percentEncode(text).replacingOccurrences(of: "%20", with: "+")
}
