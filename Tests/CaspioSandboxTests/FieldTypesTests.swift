import Foundation
import Testing

/// Values are as strict as Caspio's (docs/sandbox.md, "Values a field takes"): a value of the
/// wrong kind is refused with 500 InvalidInputValue naming the field, and nothing is stored.
@Suite struct FieldTypesTests {
    /// Creates `Typed` with one field of `type`, then posts each value: accepted ones answer
    /// 201, refused ones 500 InvalidInputValue naming the field, and only accepted ones are stored.
    func check(_ type: String, accepts: [Any], refuses: [Any]) async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let create = try await sandbox.api("POST", "tables", json: ["Name": "Typed", "Fields": [["Name": "Value", "Type": type]]], token: token)
            #expect(create.status == 201, "\(create.text)")
            for value in accepts {
                let reply = try await sandbox.api("POST", "tables/Typed/records", json: ["Value": value], token: token)
                #expect(reply.status == 201, "\(type) should take \(value): \(reply.text)")
            }
            for value in refuses {
                let reply = try await sandbox.api("POST", "tables/Typed/records", json: ["Value": value], token: token)
                #expect(reply.status == 500 && reply.object["Code"] as? String == "InvalidInputValue", "\(type) should refuse \(value): \(reply.text)")
                #expect((reply.object["Message"] as? String)?.contains("'Value'") == true, "\(reply.text)")
            }
            let stored = try await sandbox.api("GET", "tables/Typed/records", token: token).result
            #expect(stored.count == accepts.count)
        }
    }

    @Test func integerTakesWholeNumbersOnly() async throws {
        try await check("INTEGER", accepts: [5, -3, 5.0, 2_147_483_647], refuses: ["abc", 5.5, "5", true, 2_147_483_648, ["x"]])
    }

    @Test func numberTakesJSONNumbersOnly() async throws {
        try await check("NUMBER", accepts: [5, 5.5, -0.25], refuses: ["5.5", "abc", false])
    }

    @Test func currencyTakesJSONNumbersOnly() async throws {
        try await check("CURRENCY", accepts: [12.5, 12], refuses: ["12,50", "12.50", true])
    }

    @Test func yesNoTakesBooleansOnly() async throws {
        try await check("YES/NO", accepts: [true, false], refuses: ["maybe", "true", 1, 0])
    }

    @Test func dateTimeTakesISOTextOnly() async throws {
        try await check("DATE/TIME", accepts: ["2024-01-05", "2024-01-05T15:17:10"], refuses: [20240105, 1_704_467_830, true])
        // Malformed date text stays 400, as before and as Caspio answers '' for a date.
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            _ = try await sandbox.api("POST", "tables", json: ["Name": "Dates", "Fields": [["Name": "When", "Type": "DATE/TIME"]]], token: token)
            #expect(try await sandbox.api("POST", "tables/Dates/records", json: ["When": "01/05/2024"], token: token).status == 400)
        }
    }

    @Test func stringTakesTextAndNumbersUpTo255Characters() async throws {
        try await check("STRING", accepts: ["abc", 94107, String(repeating: "x", count: 255)], refuses: [true, String(repeating: "x", count: 256), ["a": 1]])
    }

    @Test func textTakesUpTo64000Characters() async throws {
        try await check("TEXT", accepts: [String(repeating: "x", count: 64_000)], refuses: [String(repeating: "x", count: 64_001), false])
    }

    /// The same rule on updates: a PUT with a wrong value changes no row.
    @Test func updatesAreCheckedToo() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let put = try await sandbox.api("PUT", "tables/Orders/records?q.where=\(q("PK_ID=1"))", json: ["Quantity": "abc"], token: token)
            #expect(put.status == 500 && put.object["Code"] as? String == "InvalidInputValue", "\(put.text)")
            #expect((put.object["Message"] as? String)?.contains("'Quantity'") == true)
            let row = try await sandbox.api("GET", "tables/Orders/records?q.where=\(q("PK_ID=1"))", token: token).result.first
            #expect(row?["Quantity"] as? Int == 2)
        }
    }
}
