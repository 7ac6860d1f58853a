import Foundation
import Testing

/// --fail-rate's 503s carry the configured Retry-After, or none at all.
@Suite struct FailRetryAfterTests {
    @Test func bare503sHaveNoRetryAfter() async throws {
        try await SandboxHarness.with({ $0.failRate = 1; $0.failRetryAfter = nil }) { sandbox in
            let reply = try await sandbox.api("GET", "tables")
            #expect(reply.status == 503)
            #expect(reply.headers["retry-after"] == nil)
            #expect(reply.object["Code"] as? String == "ServiceUnavailable")
        }
    }

    @Test func theRetryAfterIsTheSettings() async throws {
        try await SandboxHarness.with({ $0.failRate = 1; $0.failRetryAfter = 7 }) { sandbox in
            let reply = try await sandbox.api("GET", "tables")
            #expect(reply.status == 503)
            #expect(reply.headers["retry-after"] == "7")
        }
    }
}
