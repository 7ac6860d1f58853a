import CaspioTestSupport
import Foundation
import Testing

/// `caspio request METHOD PATH`: one request from the command line.
@Suite struct RequestCommandTests {
    func run(_ arguments: [String], _ fake: any CaspioEndpoint, stdin: String? = nil) async throws -> ProcessResult {
        let directory = try temporaryDirectory()
        var env = fake.environment(cacheDirectory: directory.path + "/cache", caFile: nil)
        env["HOME"] = directory.path
        return try await caspio(["request"] + arguments, stdin: stdin, environment: env, directory: directory)
    }

    @Test func printsTheJSONBodyCompactInAPipe() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("Customers", count: 3)
        let result = try await run(["GET", "tables/Customers/records", "--query", "q.where=Name IN ('row 1', 'row 3', 'O''Brien & Co = 100%')", "-q", "q.limit=2"], fake)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect((object?["Result"] as? [Any])?.count == 2)
        #expect(!result.stdout.contains("\n  "))
        let request = try #require(fake.resourceRequests.first)
        #expect(request.query["q.where"] == "Name IN ('row 1', 'row 3', 'O''Brien & Co = 100%')")
        #expect(request.query["q.limit"] == "2")
    }

    @Test func sendsJSONFromTheCommandLineOrAFile() async throws {
        let fake = try await EmulatedCaspio.start()
        try fake.seed("Customers", count: 1)
        let posted = try await run(["POST", "tables/Customers/records", "--json", #"{"Name":"Ada"}"#, "--query", "response=rows"], fake)
        #expect(posted.status == 0, "\(posted.stderr)")
        #expect(posted.stdout.contains("\"Ada\""))
        let directory = try temporaryDirectory()
        let file = try write(#"{"Name":"Grace"}"#, to: directory.appendingPathComponent("change.json"))
        let put = try await run(["PUT", "tables/Customers/records", "--query", "q.where=PK_ID=1", "--data", "@" + file.path], fake)
        #expect(put.status == 0, "\(put.stderr)")
        #expect(put.stdout == "{\"RecordsAffected\":1}\n")
        let bodies = fake.resourceRequests.map(\.bodyText)
        #expect(bodies == [#"{"Name":"Ada"}"#, #"{"Name":"Grace"}"#])
        #expect(fake.resourceRequests.allSatisfy { $0.header("Content-Type") == "application/json" })
    }

    @Test func httpErrorsExit5AndBadInputExits2() async throws {
        let fake = try await EmulatedCaspio.start()
        let missing = try await run(["GET", "tables/Nope/records"], fake)
        #expect(missing.status == 5)
        #expect(missing.stderr.contains("HTTP 404 ObjectNotFound: Cannot find table 'Nope'"))
        let badJSON = try await run(["POST", "tables/Nope/records", "--json", "{nope"], fake)
        #expect(badJSON.status == 2)
        #expect(badJSON.stderr.contains("not valid JSON"))
        let badQuery = try await run(["GET", "tables", "--query", "novalue"], fake)
        #expect(badQuery.status == 2)
        #expect(fake.resourceRequests.count == 1)
    }
}
