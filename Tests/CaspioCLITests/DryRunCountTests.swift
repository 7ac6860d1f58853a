import CaspioTestSupport
import Foundation
import Testing

/// A dry run's stand-in for a write by condition answers the rows its where clause matches,
/// counted with one read: an answer to that read that counts no total is an error naming the
/// request and what it lacked, never "0 rows affected" about rows that may be there.
@Suite struct DryRunCountTests {
    static func reply(_ request: TestHTTPServer.Request) -> TestHTTPServer.Reply {
        let base = "/integrations/rest/v4"
        switch request.path {
        case "/oauth/token":
            return .json(200, ["access_token": "count-token", "token_type": "bearer", "expires_in": 3600])
        case base + "/tables":
            return .json(200, ["data": [["tableId": "ab12cd", "name": "Things"]], "pagination": ["totalCount": 1]])
        case base + "/tables/ab12cd/records" where request.method == "GET":
            // Rows, but no pagination.totalCount.
            return .json(200, ["data": [["PK_ID": 1, "Title": "x"]]])
        default:
            return .json(404, ["code": "NotFound", "message": "no \(request.method) \(request.path)"])
        }
    }

    @Test func aCountTheAnswerDoesNotGiveIsAnErrorNotZero() async throws {
        let result = try await runAgainstScriptedV4(Self.reply, options: ["--dry-run"], """
            local t = caspio.table("Things")
            for _, write in ipairs({ function() return t:delete({Title = "x"}) end,
                                     function() return t:update({Title = "x"}, {Title = "y"}) end }) do
              local ok, e = pcall(write)
              if ok then print("counted", e) else print(e.kind, e.message, e.method, e.url) end
            end
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            http\tthe answer has no pagination.totalCount\tGET\ttables/ab12cd/records
            http\tthe answer has no pagination.totalCount\tGET\ttables/ab12cd/records

            """, "\(result.stdout)")
    }
}
