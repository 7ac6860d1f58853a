import CaspioClient
import Foundation
import Testing

@testable import CaspioStore

/// The store URL read as libpq reads one, and every mistake named.
@Suite struct StoreURLTests {
    static let environment = ["PGUSER": "envuser", "PGHOST": "envhost"]

    @Test(arguments: [
        ("postgres://caspio@db.example.com/jobs?sslmode=require", "db.example.com", nil, 5432, "caspio", "jobs", StoreURL.SSLMode.require),
        ("postgresql://u:pw@127.0.0.1:6543/d", "127.0.0.1", nil, 6543, "u", "d", .prefer),
        ("postgres:///d?host=/run/pg&port=5433", nil, "/run/pg", 5433, "envuser", "d", .prefer),
        ("postgres://", "envhost", nil, 5432, "envuser", "envuser", .prefer),
        ("postgres://u@[::1]:5432/d?sslmode=verify-full", "::1", nil, 5432, "u", "d", .verifyFull),
    ] as [(String, String?, String?, Int, String, String, StoreURL.SSLMode)])
    func goodURLs(text: String, host: String?, socket: String?, port: Int, user: String, database: String, ssl: StoreURL.SSLMode) throws {
        let url = try StoreURL.parse(text, origin: "test", environment: Self.environment)
        #expect(url.host == host)
        #expect(url.socketDirectory == socket)
        #expect((url.port, url.user, url.database, url.sslMode) == (port, user, database, ssl))
        #expect(!url.display.contains("pw"))
    }

    @Test(arguments: [
        ("mysql://u@h/d", "starts with postgres://"),
        ("postgres://u@h/d?sslmode=sometimes", "sslmode=sometimes, which is not one of disable, allow"),
        ("postgres://u@h:99999/d", "port"),
        ("postgres://u@h/d?colour=blue", "the parameter 'colour'"),
        ("postgres://u@h/d/e", "only the database's name"),
        ("postgres:///d?host=/run/pg&sslmode=require", "unix socket"),
        ("postgres://u:hunter2@h/d?connect_timeout=x", "connect_timeout=x"),
    ])
    func badURLsSayWhatIsWrong(text: String, expected: String) {
        #expect {
            try StoreURL.parse(text, origin: "--store on the command line", environment: Self.environment)
        } throws: { error in
            let message = (error as? CaspioError)?.message ?? ""
            return message.contains(expected) && message.contains("--store on the command line") && !message.contains("hunter2")
        }
    }

    @Test(arguments: [
        ("postgres://u:secret@h/d", "postgres://u:***@h/d"),
        ("postgres://u@h/d", "postgres://u@h/d"),
        ("postgres://u:p%40ss@h:1/d?sslmode=require", "postgres://u:***@h:1/d?sslmode=require"),
    ])
    func messagesShowNoPassword(url: String, shown: String) {
        #expect(StoreSetting.redacted(url) == shown)
    }

    @Test func pgpassIsReadAsLibpqDoes() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("pgpass").path
        try "# comment\nother:5432:*:*:wrong\ndb.example.com:5432:jobs:caspio:pa\\:ss\n*:*:*:*:fallback\n".write(toFile: file, atomically: true, encoding: .utf8)
        let url = try StoreURL.parse("postgres://caspio@db.example.com/jobs", origin: "test")
        let setting = StoreSetting(url: "postgres://caspio@db.example.com/jobs", origin: "test")
        var warnings: [String] = []
        chmod(file, 0o644)
        #expect(PasswordLookup.password(for: url, setting: setting, environment: ["PGPASSFILE": file], warn: { warnings.append($0) }) == nil)
        #expect(warnings.first?.contains("chmod 600") == true)
        chmod(file, 0o600)
        #expect(PasswordLookup.password(for: url, setting: setting, environment: ["PGPASSFILE": file], warn: { _ in })?.reveal() == "pa:ss")
        #expect(PasswordLookup.password(for: url, setting: setting, environment: ["PGPASSFILE": file, "PGPASSWORD": "env"], warn: { _ in })?.reveal() == "env")
        var given = setting
        given.password = Secret("profile")
        #expect(PasswordLookup.password(for: url, setting: given, environment: ["PGPASSWORD": "env"], warn: { _ in })?.reveal() == "profile")
    }

    @Test func tokensAreSealedWithTheClientSecret() throws {
        let token = TokenSet(
            accessToken: Secret("ACCESS-abc123"), tokenType: "bearer", refreshToken: Secret("REFRESH-def456"),
            expiresAt: Date(timeIntervalSince1970: 2_000_000_000), obtainedAt: Date(timeIntervalSince1970: 1_999_900_000),
            source: .network, grant: .clientCredentials)
        let sealing = TokenSealing(secret: Secret("s3cret"), tokenURL: "https://a.caspio.com/oauth/token", clientID: "id")
        let sealed = try sealing.seal(token)
        let text = String(decoding: sealed, as: UTF8.self)
        #expect(!text.contains("ACCESS") && !text.contains("REFRESH"))
        let opened = try #require(sealing.open(sealed))
        #expect(opened.accessToken == token.accessToken && opened.refreshToken == token.refreshToken && opened.expiresAt == token.expiresAt)
        #expect(opened.source == .cache)
        // Another secret, or the row of another client, opens nothing.
        #expect(TokenSealing(secret: Secret("other"), tokenURL: "https://a.caspio.com/oauth/token", clientID: "id").open(sealed) == nil)
        #expect(TokenSealing(secret: Secret("s3cret"), tokenURL: "https://a.caspio.com/oauth/token", clientID: "id2").open(sealed) == nil)
    }
}
