@testable import CaspioSandbox
import Foundation
import Testing

/// Caspio's hard edges: shuffled unordered results, the URI limit, the row
/// cap, the rate limits; and the table design rules of API-NOTES.md.
@Suite struct HardEdgesTests {
    @Test func unorderedResultsAreShuffledPerRequestWhenAsked() async throws {
        try await SandboxHarness.with({ $0.shuffleUnordered = true }) { sandbox in
            let token = try await sandbox.accessToken()
            let first = try await sandbox.api("GET", "tables/Customers/records?q.pageSize=50&q.select=PK_ID", token: token).result.compactMap { $0["PK_ID"] as? Int }
            let again = try await sandbox.api("GET", "tables/Customers/records?q.pageSize=50&q.select=PK_ID", token: token).result.compactMap { $0["PK_ID"] as? Int }
            #expect(first.count == 50 && again.count == 50 && first != again)
            #expect(first != Array(1...50))
            // With an order ending in PK_ID, pages partition the rows.
            var seen: [Int] = []
            for page in 1...5 {
                seen += try await sandbox.api("GET", "tables/Customers/records?q.pageNumber=\(page)&q.pageSize=50&q.orderBy=PK_ID&q.select=PK_ID", token: token)
                    .result.compactMap { $0["PK_ID"] as? Int }
            }
            #expect(seen == Array(1...250))
        }
        // Off by default (until the client's pager orders by PK_ID): key order.
        try await SandboxHarness.with { sandbox in
            let ids = try await sandbox.api("GET", "tables/Customers/records?q.limit=5&q.select=PK_ID").result.compactMap { $0["PK_ID"] as? Int }
            #expect(ids == [1, 2, 3, 4, 5])
        }
    }

    @Test func uriLimitAndRowCap() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            let prefix = "/integrations/rest/v3/tables/Customers/records?q.where="
            let clause = String(repeating: "1=1 AND ", count: 400) + "1=1"
            let long = try await sandbox.send("GET", prefix + q(clause), headers: [("Authorization", "Bearer " + token)])
            #expect(long.status == 414 && long.object["Code"] as? String == "RequestUriTooLong")
            let fits = String(repeating: "x", count: 2047 - prefix.count - 4)
            #expect(try await sandbox.send("GET", prefix + "'\(fits)'=1", headers: [("Authorization", "Bearer " + token)]).status == 200)
            #expect(try await sandbox.api("GET", "tables/Orders/records?q.limit=5000", token: token).result.count == 500)
            #expect(try await sandbox.api("GET", "tables/Orders/records?q.pageSize=1001", token: token).status == 400)
        }
    }

    @Test func windowLimitAnswers429WithRetryAfter() async throws {
        try await SandboxHarness.with({ $0.rateLimit = .init(requests: 3, window: 300) }) { sandbox in
            let token = try await sandbox.accessToken()
            for _ in 1...3 { #expect(try await sandbox.api("GET", "tables", token: token).status == 200) }
            let limited = try await sandbox.api("GET", "tables", token: token)
            #expect(limited.status == 429 && limited.headers["retry-after"].flatMap(Int.init).map { $0 > 0 && $0 <= 300 } == true)
            #expect(limited.object["Code"] as? String == "TooManyRequests" && limited.headers["x-caspio-request-id"] != nil)
            #expect(try await sandbox.send("GET", "/_sandbox/stats").object["rateLimited"] as? Int == 1)
        }
        #expect(SandboxSettings.RateLimit.parse("2000/300s") == .init(requests: 2000, window: 300))
        #expect(SandboxSettings.RateLimit.parse("2000") == nil && SandboxSettings.RateLimit.parse("0/1s") == nil)
    }

    /// The limiter on its own clock: a burst over the per-second limit locks every request out.
    @Test func aBurstLocksTheAccountForAWhile() {
        let limiter = RateLimiter(.init(requests: 100, window: 300, burstPerSecond: 3, lockout: 5))
        for t in [0.0, 0.1, 0.2] { #expect(throws: Never.self) { try limiter.admit(now: 1000 + t) } }
        #expect(throws: APIError.self) { try limiter.admit(now: 1000.3) }
        #expect(throws: APIError.self) { try limiter.admit(now: 1004) }  // still locked, reads included
        #expect(throws: Never.self) { try limiter.admit(now: 1005.4) }
        #expect(limiter.refusals == 2)
        let spaced = RateLimiter(.init(requests: 2, window: 10, burstPerSecond: 50, lockout: 5))
        #expect(throws: Never.self) { try spaced.admit(now: 0) }
        #expect(throws: Never.self) { try spaced.admit(now: 5) }
        #expect(throws: APIError.self) { try spaced.admit(now: 9) }
        #expect(throws: Never.self) { try spaced.admit(now: 10.5) }  // the first left the window
    }

    @Test func fieldsFollowCaspiosRules() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            #expect((try await sandbox.api("GET", "tables/Customers", token: token).object["Result"] as? [String: Any])?["Name"] as? String == "Customers")
            for type in ["GUID", "RANDOM ID", "AUTONUMBER"] {
                #expect(try await sandbox.api("POST", "tables/Products/fields", json: ["Name": "K", "Type": type], token: token).status == 400, "\(type)")
            }
            #expect(try await sandbox.api("POST", "tables/Products/fields", json: ["Name": "Code", "Type": "GUID", "Unique": true], token: token).status == 201)
            let own = ["Name": "Ids", "Fields": [["Name": "PK_ID", "Type": "AUTONUMBER"]]] as [String: Any]
            #expect(try await sandbox.api("POST", "tables", json: own, token: token).status == 400)
            #expect(try await sandbox.api("POST", "tables", json: ["Name": "Ids", "Fields": [["Name": "PK_ID", "Type": "AUTONUMBER", "Unique": true]]], token: token).status == 201)
            let codes = try await sandbox.api("GET", "tables/Products/records?q.select=Code", token: token).result.compactMap { $0["Code"] as? String }
            #expect(codes.count == 8 && Set(codes).count == 8 && codes.allSatisfy { UUID(uuidString: $0) != nil })
            #expect(try await sandbox.api("POST", "tables/Products/records", json: ["Code": "x"], token: token).status == 400)  // generated
            let field = try await sandbox.api("GET", "tables/Products/fields/Code", token: token).object["Result"] as? [String: Any]
            #expect(field?["Unique"] as? Bool == true && field?["Editable"] as? Bool == false)
            #expect(try await sandbox.api("PUT", "tables/Products/fields/Price", json: ["Name": "Cost", "Description": "EUR"], token: token).status == 204)
            #expect(try await sandbox.api("GET", "tables/Products/records?q.select=Cost&q.limit=1", token: token).result.first?["Cost"] as? Double == 3.5)
            #expect(try await sandbox.api("PUT", "tables/Products/fields/Cost", json: ["Type": "STRING"], token: token).status == 400)
            #expect(try await sandbox.api("PUT", "tables/Products/fields/Name", json: ["Unique": true], token: token).status == 204)
            #expect(try await sandbox.api("POST", "tables/Products/records", json: ["Name": "Pencil"], token: token).status == 400)
            #expect(try await sandbox.api("DELETE", "tables/Products/fields/PK_ID", token: token).status == 400)
            #expect(try await sandbox.api("DELETE", "tables/Products/fields/Cost", token: token).status == 204)
            #expect(try await sandbox.api("GET", "tables/Products/fields/Cost", token: token).status == 404)
        }
    }
}

/// The tokens a sandbox remembers for leak checks are bounded: a sandbox serving for months
/// does not grow without end, and the latest are always there.
@Suite struct IssuedTokensTests {
    @Test func theLatestTokensAreRememberedAndNoMore() {
        var tokens = Tokens()
        tokens.remembered = 10
        var all: [String] = []
        for _ in 0..<100 {
            let body = tokens.issue(grant: "client_credentials", accessTTL: 60, refreshTTL: 600, newRefresh: true, now: Date())
            for key in ["access_token", "refresh_token"] { all.append(body[key]?.string ?? "") }
        }
        #expect(tokens.issued.count >= 10 && tokens.issued.count < 20, "\(tokens.issued.count)")
        #expect(Array(all.suffix(tokens.issued.count)) == tokens.issued)
    }
}
