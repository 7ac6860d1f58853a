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
            let session = try CommandSession.start(connection)
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
                return Self.describe(client, token)
    }

    static func describe(_ client: CaspioClient, _ token: TokenSet) -> String {
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

            """
    }
}
