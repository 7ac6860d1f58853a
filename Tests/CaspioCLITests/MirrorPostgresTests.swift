import CaspioTestSupport
import Foundation
import Testing

/// A PostgreSQL target's writes (the first copy by COPY, changed rows by batched upserts)
/// against a `caspio sandbox` process (shuffled pages) and the test's own PostgreSQL.
@Suite(.serialized) struct MirrorPostgresTests {
    /// 250 changed rows are upserted 100 a statement (the server's statement log counts them),
    /// and counted as updates.
    @Test func changedRowsUpsertedInBatches() throws {
        let database = try TestPostgres()
        let f = try MirrorTests.Fixture(rows: 300)
        f.env["PGPASSWORD"] = database.password
        func mirror() throws -> ProcessResult {
            let result = try f.run(["mirror", database.url, "--tables", "Orders", "--cursor", "Orders.Modified", "--deletes-every", "5"])
            #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
            return result
        }
        #expect(MirrorTests.line(try mirror()).hasPrefix("Orders: copied: 300 inserted"))
        try f.lua(#"caspio.table("Orders"):update("PK_ID <= 250", {Qty = 1000, Modified = "2026-11-01T12:00:00"})"#)
        try database.sql("ALTER SYSTEM SET log_statement = 'all'")
        try database.sql("SELECT pg_reload_conf()")
        let logged = database.log.count
        let changed = try mirror()
        #expect(MirrorTests.line(changed).contains("changes since 2026-11-01T10:49:00: 0 inserted, 250 updated, 0 deleted, 1 call;"), "\(changed.stdout)")
        let statements = database.log.dropFirst(logged).components(separatedBy: #"INSERT INTO "Orders""#).count - 1
        #expect(statements >= 3 && statements <= 4, "\(statements) upserts")
        #expect(try database.sql(#"SELECT count(*) FROM "Orders" WHERE "Qty" = 1000 AND "Modified" = '2026-11-01T12:00:00'"#) == "250")
        #expect(try database.sql(#"SELECT count(*) FROM "Orders""#) == "300")
    }

    /// kill -9 while the copy's pages are coming: PostgreSQL rolls the copy's transaction back,
    /// leaving no table; the rerun copies every row once.
    @Test func killedMidCopyThenRerun() throws {
        let database = try TestPostgres()
        let f = try MirrorTests.Fixture(rows: 2600, extra: ["--latency", "400"])
        f.env["PGPASSWORD"] = database.password
        let process = try SpawnedProcess(caspioBinary, ["mirror", database.url, "--tables", "Orders", "--log-level", "debug"],
                                         environment: f.env, directory: f.directory, seconds: 120)
        try process.waitForOutput("q.pageNumber=2", onStderr: true, timeout: 60)
        process.signal(SIGKILL)
        _ = try? process.finish()
        // The server ends the dead client's session (and its transaction) once it sees the socket close.
        let deadline = Date().addingTimeInterval(30)
        while try database.sql("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()") != "0",
            Date() < deadline { usleep(50_000) }
        #expect(try database.sql("SELECT count(*) FROM pg_class WHERE relname LIKE 'Orders%' OR relname = '_caspio_mirror'") == "0")
        let rerun = try f.run(["mirror", database.url, "--tables", "Orders"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(MirrorTests.line(rerun).hasPrefix("Orders: copied: 2600 inserted"), "\(rerun.stdout)")
        #expect(try database.sql(#"SELECT count(*), count(DISTINCT "PK_ID") FROM "Orders""#) == "2600|2600")
    }
}
