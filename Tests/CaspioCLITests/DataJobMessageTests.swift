import CaspioTestSupport
import Foundation
import Testing

/// A data job's errors are told as the command's, without the place in caspio's own chunk.
@Suite struct DataJobMessageTests {
    @Test func aBadOptionValueIsJustItsMessage() async throws {
        let result = try await caspio(["export", "Customers", "--format", "bogus", "--sandbox"])
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix(#"caspio: format must be "csv", "json" or "jsonl" (got "bogus")"#), "\(result.stderr)")
        #expect(!result.stderr.contains("caspio export:"), "\(result.stderr)")
    }
}
