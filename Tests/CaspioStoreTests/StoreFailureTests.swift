import CaspioTestSupport
import Foundation
import Testing

/// The database out of reach at start (exit 2, what to check, no fallback), lost mid-run
/// (the run goes on; its ledger increments retried, or reported), or newer than caspio.
@Suite(.serialized) struct StoreFailureTests {
    @Test func anUnreachableStoreAtStartExits2WithWhatToCheck() async throws {
        let fake = try await EmulatedCaspio.start()
        let port = try TestPostgres.freePort()
        var host = try Host(fake: fake, database: nil)
        host.environment["CASPIO_STORE"] = "postgres://caspio:hunter2@127.0.0.1:\(port)/jobs?sslmode=disable"
        let result = try await host.run(#"caspio.get("tables")"#, ["-v"])
        #expect(result.status == 2, "\(result.stderr)")
        for expected in ["cannot connect to the store postgres://caspio:***@127.0.0.1:\(port)/jobs", "127.0.0.1 port \(port)", "CASPIO_STORE in the environment", "--store file"] {
            #expect(result.stderr.contains(expected), "\(expected): \(result.stderr)")
        }
        #expect(!result.stderr.contains("hunter2"))
        // No fallback to this host's files: nothing was granted or sent.
        #expect(fake.grantCount == 0)
        #expect(fake.resourceRequests.isEmpty)
        // --store file is the way out.
        let local = try await host.run(#"caspio.get("tables"); print("ok")"#, ["--store", "file"])
        #expect(local.status == 0, "\(local.stderr)")
    }

    @Test(arguments: [
        ("postgres://u@127.0.0.1/d?sslmode=maybe", "sslmode=maybe"),
        ("mysql://u@127.0.0.1/d", "neither file nor a PostgreSQL URL"),
    ])
    func aBadStoreSettingSaysWhatIsWrong(store: String, expected: String) async throws {
        var host = try Host(fake: nil, database: nil)
        host.environment["CASPIO_STORE"] = store
        let result = try await host.run(#"print(1)"#)
        #expect(result.status == 2)
        #expect(result.stderr.contains(expected), "\(result.stderr)")
    }

    @Test func aRefusedPasswordIsNamedNeverShown() async throws {
        let database = try await TestPostgres.make()
        var host = try Host(fake: nil, database: database)
        let cases: [(String?, String)] = [
            ("Wr0ng-pa55word", "refused the user postgres: password authentication failed"),
            (nil, "asks for a password for the user postgres, and none was found"),
        ]
        for (password, expected) in cases {
            host.environment["PGPASSWORD"] = password
            let result = try await host.run(#"print(1)"#, ["-v"])
            #expect(result.status == 2)
            #expect(result.stderr.contains(expected), "\(result.stderr)")
            #expect(result.stderr.contains("PGPASSWORD, ~/.pgpass or store_password_env/_file/_command"), "\(result.stderr)")
            #expect(!result.stderr.contains("Wr0ng-pa55word") && !result.stderr.contains(database.password))
        }
    }

    @Test func aSchemaFromANewerCaspioIsRefused() async throws {
        let database = try await TestPostgres.make()
        let host = try Host(fake: nil, database: database)
        let created = try await host.caspio(["store", "init"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("created caspio's tables (schema caspio, version 1) in postgres://postgres@127.0.0.1:"))
        #expect(try await host.caspio(["store", "init"]).stdout.contains("nothing to do"))
        try await database.sql("UPDATE caspio.meta SET value = '2' WHERE key = 'schema_version'")
        let refused = try await host.run(#"print(1)"#)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("schema version 2, newer than version 1"), "\(refused.stderr)")
        #expect(try await database.sql("SELECT value FROM caspio.meta") == "2")
    }

    /// The script makes a request, signals, waits for the test's word, makes two more.
    static let stepper = """
        caspio.get("tables")
        io.open(arg[1], "w"):close()
        while not io.open(arg[2]) do caspio.sleep(0.01) end
        caspio.get("tables"); caspio.get("tables")
        io.open(arg[3], "w"):close()
        while not io.open(arg[4]) do caspio.sleep(0.01) end
        print("done")
        """

    /// Runs the stepper with the store stopped after its first request; with `restart`, the
    /// store is back before the run's last step, else the run ends without it.
    private func runLosingTheStore(restart: Bool) async throws -> (ProcessResult, EmulatedCaspio, TestPostgres) {
        let database = try await TestPostgres.make()
        let fake = try await EmulatedCaspio.start()
        let host = try Host(fake: fake, database: database)
        let steps = (restart ? ["a", "b", "c", "d"] : ["a", "b", "c", "c"]).map(host.path)
        let run = try host.start(Self.stepper, [], steps)
        #expect(await waitFor { exists(steps[0]) }, "\(run.output.stderr)")
        await database.stop()
        try touch(steps[1])
        if restart {
            #expect(await waitFor { exists(steps[2]) }, "\(run.output.stderr)")
            try await database.start()
            try touch(steps[3])
        }
        return (try await run.finish(), fake, database)
    }

    @Test func aStoreLostMidRunLetsTheRunFinishAndCatchesUpTheLedger() async throws {
        let (result, fake, database) = try await runLosingTheStore(restart: true)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "done\n")
        #expect(result.stderr.contains("the run goes on"), "\(result.stderr)")
        #expect(!result.stderr.contains("not added"), "\(result.stderr)")
        #expect(fake.grantCount == 1)
        #expect(try await database.sql("SELECT sum(requests) FROM caspio.usage") == "3")
    }

    @Test func ledgerIncrementsLostWithTheStoreAreReported() async throws {
        let (result, fake, database) = try await runLosingTheStore(restart: false)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("2 requests were sent but not added to the shared usage ledger"), "\(result.stderr)")
        #expect(fake.resourceRequests.count == 3)
        #expect(!result.stderr.contains(database.password))
    }
}
