import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// A request Caspio rejects for a field: the error says in which clause the field was and the
/// nearest names the table has, as a 404 for a missing table does.
@Suite struct RejectedFieldTests {
    static func fake(_ reply: TestHTTPServer.Reply) async throws -> EmulatedCaspio {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("T", count: 2)
        fake.script([reply])
        return fake
    }

    @Test func anUnknownColumnInQSelectNamesTheClauseAndTheNearestField() async throws {
        let fake = try await Self.fake(.json(500, ["Code": "SqlServerError", "Message": "Invalid column name 'Nmae'."]))
        let lua = try InProcessLua(fake)
        let message = await lua.failure(#"caspio.get("tables/T/records", {["q.select"] = "PK_ID,Nmae"})"#)
        #expect(message?.contains("HTTP 500 SqlServerError: Invalid column name 'Nmae'. (in q.select; did you mean 'Name'?)") == true, "\(message ?? "")")
        // The request once, then the table's fields once: a final answer is not sent again.
        #expect(fake.resourceRequests.map(\.path).filter { $0.hasSuffix("/records") }.count == 1)
        #expect(fake.resourceRequests.map(\.path).filter { $0.hasSuffix("/fields") }.count == 1)
    }

    @Test func anUnknownFieldInTheBodyIsSaidSo() async throws {
        let fake = try await Self.fake(.json(404, ["Code": "FieldNotFound", "Message": "Cannot find field 'Nam'"]))
        let lua = try InProcessLua(fake)
        let message = await lua.failure(#"caspio.post("tables/T/records", {Nam = "x"})"#)
        #expect(message?.contains("Cannot find field 'Nam' (in the body; did you mean 'Name'?)") == true, "\(message ?? "")")
    }

    @Test func aFieldThatExistsGetsOnlyItsClause() async throws {
        let fake = try await Self.fake(.json(500, ["Code": "InvalidInputValue", "Message": "Invalid value for field 'N'"]))
        let lua = try InProcessLua(fake)
        let message = await lua.failure(#"caspio.get("tables/T/records", {["q.where"] = "N = 'x'"})"#)
        #expect(message?.contains("Invalid value for field 'N' (in q.where)") == true, "\(message ?? "")")
        #expect(fake.resourceRequests.map(\.path).filter { $0.hasSuffix("/records") }.count == 1)
    }
}
