import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// Answers that say the request itself is wrong are sent once (Caspio bills every answer), and
/// a 403 says what to do about it.
@Suite struct FinalAnswersTests {
    @Test(arguments: [
        (500, "InvalidInputValue", nil), (500, "SqlServerError", nil), (503, "SqlServerError", "0"),
        (502, "FieldNotFound", nil), (504, "IncorrectBodyParameter", nil),
    ] as [(Int, String, String?)])
    func anAnswerWithADeterministicCodeIsSentOnce(status: Int, code: String, retryAfter: String?) async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script([.json(status, ["Code": code, "Message": "no"], headers: retryAfter.map { [("Retry-After", $0)] } ?? [])])
        let response = try await client.send(CaspioRequest("GET", "tables/T/records"))
        await client.shutdown()
        #expect(response.status == status)
        #expect(fake.resourceRequests.count == 1)
        let stats = client.counters.snapshot
        #expect(stats.retries == 0 && stats.throttled == 0)
    }

    @Test func aPostAnsweredInvalidInputValueIsSentOnce() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script([.json(500, ["Code": "InvalidInputValue", "Message": "The value of 'Tags' is invalid"])])
        let response = try await client.send(CaspioRequest("POST", "tables/T/records", body: Array(#"{"Tags":["a"]}"#.utf8)))
        await client.shutdown()
        #expect(response.status == 500)
        #expect(response.error.code == "InvalidInputValue")
        #expect(fake.resourceRequests.count == 1)
    }

    @Test func a408IsRetriedForAGet() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script([.json(408, ["Code": "RequestTimeout", "Message": "too slow"])])
        let response = try await client.send(CaspioRequest("GET", "tables"))
        await client.shutdown()
        #expect(response.status == 200)
        #expect(fake.resourceRequests.count == 2)
    }

    @Test func a403NamesTheObjectAndTheAPIProfile() async throws {
        let fake = try await EmulatedCaspio.start()
        let client = try makeClient(fake)
        fake.script([.json(403, ["Code": "Forbidden", "Message": "Access denied", "RequestId": "req-77"])])
        let response = try await client.send(CaspioRequest("POST", "dataImportExportTasks/Nightly%20export/run"))
        await client.shutdown()
        let error = response.error
        #expect(error.message == "Access denied: the API profile has no access to import/export task 'Nightly export'; give it access in Caspio under Integrations → API Profiles")
        #expect(error.description.contains("HTTP 403 Forbidden: Access denied"))
        #expect(error.description.contains("request "), "\(error.description)")
    }

    @Test func a403ExplainsEachKindOfObject() {
        let base = "https://c1abc123.caspio.com/integrations/rest/v3/"
        #expect(ForbiddenObject.object(in: base + "bridgeApplications/APP1/datapages") == "Bridge application 'APP1'")
        #expect(ForbiddenObject.object(in: base + "tables/Orders/records?q.limit=1") == "table 'Orders'")
        #expect(ForbiddenObject.object(in: base + "outgoingWebhooks") == "the outgoingWebhooks listing")
        #expect(ForbiddenObject.explain(code: "IpForbidden", message: "no", method: "GET", url: base + "tables").contains("IP address"))
        #expect(ForbiddenObject.explain(code: "UnsufficientPrivileges", message: "no", method: "PUT", url: base + "views/V/records")
            .contains("either view 'V' cannot be written to"))
    }
}
