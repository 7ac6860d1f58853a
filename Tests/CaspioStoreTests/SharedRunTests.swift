import CaspioTestSupport
import Foundation
import Testing

/// --lock and caspio.state across hosts, on a real PostgreSQL.
@Suite(.serialized) struct SharedRunTests {
    /// Creates the file arg[1], then holds on until the file arg[2] exists.
    static let holder = """
        io.open(arg[1], "w"):close()
        while not io.open(arg[2]) do caspio.sleep(0.01) end
        print("done")
        """

    @Test func twoHostsLockOneRunsTheOtherExits75() async throws {
        let database = try await TestPostgres.make()
        let (first, second) = (try Host(fake: nil, database: database), try Host(fake: nil, database: database))
        let release = first.path("release")
        let holding = try first.start(Self.holder, ["--lock"], [first.path("started"), release])
        #expect(await waitFor { exists(first.path("started")) }, "\(holding.output.stderr)")

        // Another host, another path, the same script name: the same lock.
        let blocked = try await second.run(Self.holder, ["--lock"], ["x", "y"])
        #expect(blocked.status == 75, "\(blocked.stderr)")
        #expect(blocked.stdout.isEmpty)
        #expect(blocked.stderr.hasPrefix("caspio: another run holds the lock 'job.lua' in the store postgres://postgres@127.0.0.1:"), "\(blocked.stderr)")
        let began = Date()
        let waited = try await second.run(Self.holder, ["--lock", "--lock-wait", "0.3"], ["x", "y"])
        #expect(waited.status == 75)
        #expect(Date().timeIntervalSince(began) >= 0.3)

        // However the holder dies, its session ends and the lock with it.
        holding.signal(SIGKILL)
        _ = try? await holding.finish()
        try touch(second.path("release"))
        let next = try await second.run(Self.holder, ["--lock", "--lock-wait", "10"], [second.path("s"), second.path("release")])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.stdout == "done\n")
    }

    /// A session lock goes with its connection: when the store comes back, the run takes its
    /// lock again before any other host can, so the job still runs once.
    @Test func aRunTakesItsLockAgainWhenTheStoreIsBack() async throws {
        let database = try await TestPostgres.make()
        let (first, second) = (try Host(fake: nil, database: database), try Host(fake: nil, database: database))
        // Each caspio.state.set writes to the store, so the run notices the store is back.
        let polling = """
            io.open(arg[1], "w"):close()
            while not io.open(arg[2]) do pcall(caspio.state.set, "n", 1); caspio.sleep(0.02) end
            print("done")
            """
        let holding = try first.start(polling, ["--lock"], [first.path("started"), first.path("release")])
        #expect(await waitFor { exists(first.path("started")) }, "\(holding.output.stderr)")
        await database.stop()
        try await database.start()
        let advisoryLocks = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
        #expect(await waitFor { (try? await database.sql(advisoryLocks)) == "1" }, "\(holding.output.stderr)")

        // (Had it got the lock, it would end at once: its arg[2] exists.)
        let blocked = try await second.run(Self.holder, ["--lock"], [second.path("s"), first.path("started")])
        #expect(blocked.status == 75, "\(blocked.stderr)")
        try touch(first.path("release"))
        let result = try await holding.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("was lost, and with it the run lock 'job.lua'"), "\(result.stderr)")
        #expect(result.stderr.contains("this run holds the lock 'job.lua' again"), "\(result.stderr)")
    }

    @Test func stateIsSharedAndSurvivesKill9() async throws {
        let database = try await TestPostgres.make()
        let (first, second) = (try Host(fake: nil, database: database), try Host(fake: nil, database: database))
        // Large values make each write take a while, so the kill lands inside one.
        let writer = """
            local pad = string.rep("x", 200000)
            for i = 1, 1e9 do caspio.state.set("n", { i = i, pad = pad }) end
            """
        for _ in 0..<3 {
            let run = try first.start(writer)
            #expect(await waitFor { (try? await database.sql("SELECT count(*) FROM caspio.state")) == "1" })
            run.signal(SIGKILL)
            _ = try? await run.finish()
            let value = try await database.sql("SELECT value FROM caspio.state WHERE script = 'job.lua'")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any])
            let n = try #require(object["n"] as? [String: Any])
            #expect((n["i"] as? Int ?? 0) >= 1)
            #expect((n["pad"] as? String)?.count == 200000)
        }
        // The other host reads what the first wrote; a --state name is a state of its own.
        let read = try await second.run(#"print(caspio.state.get("n").i > 0, caspio.state.path())"#)
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.hasPrefix("true\tpostgres://postgres@127.0.0.1:"), "\(read.stdout)")
        let named = try await second.run(#"print(caspio.state.get("n"))"#, ["--state", "other"])
        #expect(named.stdout == "nil\n", "\(named.stderr)")
    }
}
