import CaspioClient
import CaspioTestSupport
import Foundation
import Testing

/// The store setting through the usual layers (flag, CASPIO_STORE, profile), its password
/// sources, and the commands that look at the store (`doctor`, `usage`, `store init`).
@Suite struct StoreSettingTests {
    static func resolve(flag: String? = nil, environment: [String: String] = [:], profile: String = "") throws -> StoreSetting {
        let directory = try temporaryDirectory()
        let config = try write("[profiles.p]\naccount = \"c1abc123\"\n" + profile, to: directory.appendingPathComponent("config.toml"))
        var overrides = ConfigurationOverrides()
        overrides.store = flag
        overrides.profile = "p"
        var env = environment
        env["CASPIO_CONFIG"] = config.path
        env["HOME"] = directory.path
        env["STORE_PW"] = "from-variable"
        return try ConfigurationResolver(environment: env, overrides: overrides).resolveStore()
    }

    @Test(arguments: [
        (nil, [:], "", nil, "the default"),
        (nil, [:], "store = \"postgres://u@h/d\"\n", "postgres://u@h/d", "store in profile 'p'"),
        (nil, ["CASPIO_STORE": "postgres://e@h/d"], "store = \"postgres://u@h/d\"\n", "postgres://e@h/d", "CASPIO_STORE in the environment"),
        ("file", ["CASPIO_STORE": "postgres://e@h/d"], "", nil, "--store on the command line"),
    ] as [(String?, [String: String], String, String?, String)])
    func theHighestLayerWins(flag: String?, environment: [String: String], profile: String, url: String?, origin: String) throws {
        let setting = try Self.resolve(flag: flag, environment: environment, profile: profile)
        #expect(setting.url == url)
        #expect(setting.origin.hasPrefix(origin), "\(setting.origin)")
    }

    @Test func thePasswordComesFromAStorePasswordSource() throws {
        let setting = try Self.resolve(profile: "store = \"postgres://u@h/d\"\nstore_password_env = \"STORE_PW\"\n")
        #expect(setting.password?.reveal() == "from-variable")
        #expect(setting.passwordOrigin?.hasPrefix("store_password_env in profile 'p'") == true)
        #expect(throws: CaspioError.self) {
            try Self.resolve(profile: "store = \"postgres://u@h/d\"\nstore_password_env = \"A\"\nstore_password_command = \"echo x\"\n")
        }
        let directory = try temporaryDirectory()
        let file = try write("pw\n", to: directory.appendingPathComponent("pw"))
        chmod(file.path, 0o644)
        #expect {
            try Self.resolve(profile: "store = \"postgres://u@h/d\"\nstore_password_file = \"\(file.path)\"\n")
        } throws: { error in
            let message = (error as? CaspioError)?.message ?? ""
            return message.contains("store_password_file") && message.contains("chmod 600")
        }
    }

    @Test func doctorUsageAndStoreInitLookAtTheStore() async throws {
        let database = try await TestPostgres.make()
        let fake = try await EmulatedCaspio.start()
        let host = try Host(fake: fake, database: database)
        let doctor = try await host.caspio(["doctor"])
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        #expect(doctor.stdout.contains("postgres://postgres@127.0.0.1:\(database.port)/postgres?sslmode=disable (CASPIO_STORE in the environment): reachable"), "\(doctor.stdout)")
        #expect(!doctor.stdout.contains(database.password) && !doctor.stderr.contains(database.password))
        // Its token went to the store, not to this host's files.
        #expect(try await database.sql("SELECT count(*) FROM caspio.tokens") == "1")
        let cached = (try? FileManager.default.contentsOfDirectory(atPath: host.path("cache"))) ?? []
        #expect(cached.allSatisfy { !$0.hasSuffix(".json") }, "\(cached)")

        #expect(try await host.run(#"caspio.get("tables"); caspio.get("tables")"#).status == 0)
        let usage = try await host.caspio(["usage"])
        #expect(usage.status == 0, "\(usage.stderr)")
        #expect(usage.stdout.contains("(caspio.usage)"), "\(usage.stdout)")
        #expect(usage.stdout.contains("job.lua"), "\(usage.stdout)")

        var files = host
        files.environment["CASPIO_STORE"] = nil
        let notShared = try await files.caspio(["store", "init"])
        #expect(notShared.status == 2)
        #expect(notShared.stderr.contains("the store is this host's files"), "\(notShared.stderr)")
        let local = try await files.caspio(["doctor"])
        #expect(local.stdout.contains("file: tokens, locks, state and the usage ledger are this host's"), "\(local.stdout)")
    }
}
