import ArgumentParser
import CaspioClient
import Foundation

/// `caspio auth`: sign in (cache first) and say how, without ever printing a secret.
struct AuthCommand: ParsableCommand, StopsLikeRun {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Authenticate (cache first) and show the profile, endpoints and token expiry.",
        usage: "caspio auth [--refresh | --logout] [OPTIONS]",
        discussion: "Tokens are cached between runs, so scheduled jobs do not mint a new refresh token each time."
    )

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Renew now with the refresh token (client credentials if it is refused).")
    var refresh = false

    @Flag(help: "Delete the cached tokens of this profile (needs the client id, not the secret).")
    var logout = false

    @Flag(help: "Print only the bare access token, for other tools (e.g. curl -H \"Authorization: Bearer $(caspio auth --print-token)\").")
    var printToken = false

    func run() throws {
        CommandStop.begin()
        do {
            let session = try CommandSession.start(connection.values)
            defer { session.close() }
            // Logging out deletes a file: no secret is needed, and none is read.
            let client = try session.makeClient(scriptName: "(auth)", requireCredentials: !logout)
            if logout, client.configuration.clientID.isEmpty {
                throw CaspioError(.config, "caspio auth --logout needs the client id (CASPIO_CLIENT_ID, or client_id in a profile) to find its cached tokens")
            }
            let (refresh, logout, printToken) = (refresh, logout, printToken)
            let output = try CommandStop.awaiting { () async throws -> String in
                let result: Result<String, Error>
                do { result = .success(try await Self.perform(client, refresh: refresh, logout: logout, printToken: printToken)) } catch { result = .failure(error) }
                await client.shutdown()
                return try result.get()
            }
            FileHandle.standardOutput.write(Data(output.utf8))
        } catch let error as CaspioError {
            printError(error.description)
            throw ExitCode(error.exitStatus.rawValue)
        }
    }

    static func perform(_ client: CaspioClient, refresh: Bool, logout: Bool, printToken: Bool) async throws -> String {
                if logout {
                    let removed = try await client.tokens.logout()
                    let where_ = client.tokenStore?.location ?? "(token cache is off)"
                    return removed ? "Logged out: removed \(where_)\n" : "No cached token at \(where_)\n"
                }
                let token = try await (refresh ? client.tokens.refresh() : client.tokens.validToken())
                if printToken { return token.accessToken.reveal() + "\n" }
                return Self.describe(client, token, facts: await DoctorNetworkChecks.accountFacts(client))
    }

    /// `facts`: v4's `GET me` (nil on v3).
    static func describe(_ client: CaspioClient, _ token: TokenSet, facts: Result<AccountFacts, CaspioError>? = nil) -> String {
        let configuration = client.configuration
        let expiry: String
        if let expiresAt = token.expiresAt {
            let formatter = ISO8601DateFormatter()
            let left = Int(expiresAt.timeIntervalSinceNow)
            expiry = "\(formatter.string(from: expiresAt)) (in \(left / 3600)h \(left % 3600 / 60)m \(left % 60)s)"
        } else {
            expiry = "unknown (the server gave no lifetime; renewed when refused)"
        }
        let source =
            token.source == .cache ? "cache" : "network (\(token.grant.rawValue) grant)"
        return """
            profile:        \(configuration.profile ?? "(none: environment)")
            base URL:       \(configuration.baseURL.absoluteString)
            token endpoint: \(configuration.tokenURL.absoluteString)
            client id:      \(configuration.clientID)
            expires:        \(expiry)
            cache file:     \(client.tokenStore?.location ?? "off")
            source:         \(source)
            \(Self.accountLines(facts))
            """
    }

    /// v4's API profile and rate limit, each on a line (nothing on v3).
    static func accountLines(_ facts: Result<AccountFacts, CaspioError>?) -> String {
        switch facts {
        case .success(let facts)?:
            return """
                API profile:    \(facts.profileName ?? "(unnamed)")\(facts.accountSubdomain.map { " (account \($0))" } ?? "")
                rate limit:     \(facts.rateLimit?.text ?? "none published (Caspio's published limit is \(AccountFacts.publishedLimit.text))")

                """
        case .failure(let error)?:
            return "API profile:    unknown: GET \(AccountFacts.path) failed: \(error.description)\n"
        case nil:
            return ""
        }
    }
}
