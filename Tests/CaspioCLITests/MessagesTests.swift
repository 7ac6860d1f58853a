import CaspioTestSupport
import Foundation
import Testing

/// The texts users see when something is off: they are the interface, so they are checked
/// word for word.
@Suite struct MessagesTests {
    /// A HOME with no config file and no CASPIO_* settings.
    static func bareEnvironment(_ directory: URL) -> [String: String] {
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CASPIO_") && !$0.key.hasPrefix("XDG_") }
        env["HOME"] = directory.path
        env["CASPIO_CONFIG"] = directory.path + "/config.toml"
        return env
    }

    @Test func noAccountIsOneMessageWithEveryWayOutAndNoTraceback() async throws {
        let directory = try temporaryDirectory()
        let env = Self.bareEnvironment(directory)
        let result = try await SpawnedProcess(
            caspioBinary, ["-e", "caspio.get('tables')"], environment: env, replacingEnvironment: true, seconds: 30
        ).finish()
        #expect(result.status == 2)
        #expect(result.stderr == """
            caspio: config error: no Caspio account is configured: missing the account (CASPIO_ACCOUNT or CASPIO_BASE_URL), the client id (CASPIO_CLIENT_ID) and the client secret (CASPIO_CLIENT_SECRET).
            Set them in the environment, or in a profile of \(directory.path)/config.toml (account or base_url; client_id; client_secret_file, client_secret_env, client_secret_command or client_secret); `caspio profile add NAME` writes one.
            To try caspio without an account, add --sandbox (caspio run --sandbox job.lua, caspio repl --sandbox).

            """)
        // The same from `caspio request` and `caspio auth`.
        for words in [["request", "GET", "tables"], ["auth"]] {
            let other = try await SpawnedProcess(caspioBinary, words, environment: env, replacingEnvironment: true, seconds: 30).finish()
            #expect(other.status == 2, "\(words)")
            #expect(other.stderr.hasPrefix("caspio: config error: no Caspio account is configured: missing the account"), "\(words): \(other.stderr)")
        }
    }

    @Test func requestAndAuthTakeSandbox() async throws {
        let directory = try temporaryDirectory()
        let env = Self.bareEnvironment(directory)
        let request = try await SpawnedProcess(
            caspioBinary, ["request", "--sandbox", "GET", "tables"], environment: env, replacingEnvironment: true, seconds: 30
        ).finish()
        #expect(request.status == 0, "\(request.stderr)")
        #expect(request.stdout == "{\"Result\":[\"Customers\",\"Documents\",\"Orders\",\"Products\",\"Staff\"]}\n")
        let auth = try await SpawnedProcess(caspioBinary, ["--sandbox", "auth"], environment: env, replacingEnvironment: true, seconds: 30).finish()
        #expect(auth.status == 0, "\(auth.stderr)")
        #expect(auth.stdout.contains("client id:      sandbox-client\n"), "\(auth.stdout)")
        #expect(auth.stdout.contains("cache file:     off\n"), "\(auth.stdout)")
        #expect(!auth.stdout.contains("sandbox-secret"))
    }

    /// URLs in errors read as people wrote them, not percent-encoded.
    @Test func urlsInErrorsShowTheQueryDecoded() async throws {
        let directory = try temporaryDirectory()
        let env = Self.bareEnvironment(directory)
        let result = try await SpawnedProcess(
            caspioBinary, ["request", "--sandbox", "GET", "tables/Customers/records", "-q", "q.where=Stat = 'CA'"],
            environment: env, replacingEnvironment: true, seconds: 30
        ).finish()
        #expect(result.status == 5)
        #expect(result.stderr.contains("/integrations/rest/v3/tables/Customers/records?q.where=Stat = 'CA', request "), "\(result.stderr)")
        let script = try await SpawnedProcess(
            caspioBinary, ["run", "--sandbox", "-e", "print(select(2, pcall(caspio.table('Customers').all, caspio.table('Customers'), {where = {Stat = 'CA'}})))"],
            environment: env, replacingEnvironment: true, seconds: 30
        ).finish()
        #expect(script.stdout.contains("q.where=Stat='CA'"), "\(script.stdout) \(script.stderr)")
        #expect(!script.stdout.contains("%27"), "\(script.stdout)")
    }

    /// A table or field that does not exist: the nearest names that do, from a listing asked
    /// once per run and only after the error (and, when no table is near, the views' listing,
    /// in case it is a view).
    @Test func aMissingTableOrFieldNamesTheNearestOnes() async throws {
        let directory = try temporaryDirectory()
        let script = #"""
            local function message(f, ...) local _, e = pcall(f, ...); return e.message end
            print(caspio.stats().requests)
            print(message(caspio.table("Custmers").count, caspio.table("Custmers")))
            print(message(caspio.get, "tables/customers/records"))
            print(message(caspio.get, "tables/Zebra/records"))
            print(message(caspio.get, "tables/Customers/fields/Stat"))
            print(message(caspio.get, "tables/Customers/fields/Stat"))
            print(caspio.stats().requests)
            """#
        let result = try await SpawnedProcess(
            caspioBinary, ["run", "--sandbox", "-e", script], environment: Self.bareEnvironment(directory),
            replacingEnvironment: true, seconds: 30
        ).finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            0
            Cannot find table 'Custmers' (did you mean 'Customers'?)
            Cannot find table 'customers' (did you mean 'Customers'?)
            Cannot find table 'Zebra' (no table 'Zebra'; the tables are: Customers, Documents, Orders, Products, Staff)
            Cannot find field 'Stat' (did you mean 'State'?)
            Cannot find field 'Stat' (did you mean 'State'?)
            8

            """, "\(result.stderr)")
    }

    @Test func aPortInUseSaysWhichAndWhatToDo() async throws {
        let (first, exports) = try await SpawnedProcess.sandbox(["--port", "0"])
        // Not waited for (no await in a defer): its own thread reaps it, and letting go of it
        // kills whatever is left.
        defer { first.signal(SIGTERM) }
        let port = String(exports["CASPIO_BASE_URL"]!.split(separator: ":")[2].prefix { $0.isNumber })
        let second = try await SpawnedProcess(caspioBinary, ["sandbox", "--port", port], seconds: 30).finish()
        #expect(second.status == 2)
        #expect(second.stderr == "caspio: sandbox: port \(port) on 127.0.0.1 is already in use (another caspio sandbox?); choose another with --port, or leave --port out for a free one\n")
    }

    /// A failed `:profile` leaves the REPL on the account it had; a good one leaves the sandbox,
    /// and handles made before the switch say so instead of failing with a closed connection.
    @Test func replSurvivesAFailedProfileSwitch() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = try temporaryDirectory()
        var env = Self.bareEnvironment(directory)
        let failed = try await SpawnedProcess(
            caspioBinary, ["repl", "--sandbox"],
            input: .text("t = caspio.table('Customers')\nt:count()\n:profile prod\ncaspio.table('Customers'):count()\n"),
            environment: env, replacingEnvironment: true, seconds: 30
        ).finish()
        #expect(failed.status == 0, "\(failed.stderr)")
        #expect(failed.stdout == "250\n250\n", "\(failed.stderr)")
        #expect(failed.stderr.hasPrefix("cannot switch to profile prod: profile 'prod' was asked for, but there is no config file at \(directory.path)/config.toml\nstill using the sandbox, http://127.0.0.1:"), "\(failed.stderr)")
        #expect(!failed.stderr.contains("HTTPClientError") && !failed.stderr.contains("alreadyShutdown"))

        try write(
            """
            [profiles.prod]
            base_url = "\(fake.baseURL)"
            token_url = "\(fake.tokenURL)"
            client_id = "\(fake.settings.clientID)"
            client_secret_env = "FAKE_SECRET"
            """, to: directory.appendingPathComponent("config.toml"))
        env["FAKE_SECRET"] = fake.settings.clientSecret
        env["CASPIO_TOKEN_CACHE"] = "off"
        let switched = try await SpawnedProcess(
            caspioBinary, ["repl", "--sandbox"],
            input: .text("t = caspio.table('Customers')\nt:count()\n:profile prod\ncaspio.config.base_url\nprint(pcall(t.count, t))\n"),
            environment: env, replacingEnvironment: true, seconds: 30
        ).finish()
        #expect(switched.status == 0, "\(switched.stderr)")
        let lines = switched.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(switched.stdout)")
        #expect(lines.first == "250")
        #expect(lines.dropFirst().first == "now profile prod, \(fake.baseURL)")
        #expect(lines.dropFirst(2).first == "\"\(fake.baseURL)\"")
        #expect(lines.last?.hasPrefix("false\tconfig error: this value belongs to the sandbox, http://127.0.0.1:") == true, "\(switched.stdout)")
        #expect(lines.last?.hasSuffix("which the REPL left for profile prod (:profile); use caspio again") == true, "\(switched.stdout)")
    }
}
