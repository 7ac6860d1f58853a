import CaspioTestSupport
import Foundation
import Testing

/// A dry run rehearses whole scripts: an insert's stand-in carries the record as sent and a
/// plausible PK_ID, so an update by that PK_ID runs through; the summary names the stand-ins.
@Suite struct DryRunStandInTests {
    @Test func insertThenUpdateByPKRunsThrough() async throws {
        let result = try await runLuaInSandbox("""
            local c = caspio.table("Customers")
            local row = c:insert({Name = "Rehearsal", State = "CA"})
            print(row.PK_ID, row.Name, row.State)
            local second = c:insert({Name = "Second"})
            print(second.PK_ID)
            print(c:update({PK_ID = row.PK_ID}, {State = "NY"}), c:delete({PK_ID = second.PK_ID}))
            print(c:count(), c:count({Name = "Rehearsal"}))
            """, flags: ["--dry-run"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            251\tRehearsal\tCA
            252
            1\t1
            250\t0

            """)
        #expect(result.stderr.contains("dry run: 4 writes not sent (DELETE tables/Customers/records: 1, POST tables/Customers/records: 2, PUT tables/Customers/records: 1)"), "\(result.stderr)")
        #expect(result.stderr.contains("dry run: tables/Customers: PK_IDs 251-252 are stand-ins, not rows of Caspio's"), "\(result.stderr)")
    }
}
