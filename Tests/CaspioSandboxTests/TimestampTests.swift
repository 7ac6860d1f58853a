import CaspioSandbox
import CaspioTestSupport
import Foundation
import Testing

/// TIMESTAMP fields stamped on insert and/or update (openapi-v3.json FieldModel `OnInsert`,
/// `OnUpdate`, `TimeZone`; v4 `stampOnInsert`, `stampOnUpdate`, `stampTimeZone`): reported by
/// both versions' field endpoints, stamped by the server on every write of both versions,
/// never taken from a client. Virtual time: the sandbox's clock is the test's.
@Suite struct TimestampTests {
    static var fields: [[String: Any]] { [
        ["Name": "Title", "Type": "STRING"],
        ["Name": "Created", "Type": "TIMESTAMP", "OnInsert": true],
        ["Name": "Modified", "Type": "TIMESTAMP", "OnInsert": true, "OnUpdate": true],
        ["Name": "Touched", "Type": "TIMESTAMP", "OnUpdate": true, "TimeZone": "America/New_York"],
    ] }

    /// The tests move the sandbox's one clock by days, which tokens age by too.
    static func longTokens(_ settings: inout SandboxSettings) { settings.tokenTTL = 90 * 86_400 }

    /// The account's objects are dated by the sandbox's clock too, not the wall clock.
    @Test func objectsAreDatedByTheSandboxsClock() async throws {
        let clock = SetClock("2026-03-01T10:00:00")
        try await SandboxHarness.with(Self.longTokens, clock: SandboxClock(dates: clock.read)) { sandbox in
            let token = try await sandbox.accessToken()
            let created = try await sandbox.api("POST", "outgoingWebhooks", json: ["Name": "dated", "OutgoingUrls": ["http://127.0.0.1:9/w"], "CallThrottling": 2], token: token)
            #expect(created.status == 201, "\(created.text)")
            let id = created.object["Id"] as? String ?? ""
            clock.set("2026-03-02T11:30:00")
            #expect(try await sandbox.api("PUT", "outgoingWebhooks/\(id)", json: ["Name": "dated 2"], token: token).status < 300)
            let hook = try await sandbox.api("GET", "outgoingWebhooks/\(id)", token: token).object
            #expect(hook["DateCreated"] as? String == "2026-03-01T10:00:00", "\(hook)")
            #expect(hook["LastModified"] as? String == "2026-03-02T11:30:00", "\(hook)")
        }
    }

    @Test func v3ReportsAndStampsOnInsertAndUpdate() async throws {
        let clock = SetClock("2026-03-01T10:00:00")
        try await SandboxHarness.with(Self.longTokens, clock: SandboxClock(dates: clock.read)) { sandbox in
            let token = try await sandbox.accessToken()
            let created = try await sandbox.api("POST", "tables", json: ["Name": "Notes", "Fields": Self.fields], token: token)
            #expect(created.status == 201, "\(created.text)")
            let design = try await sandbox.api("GET", "tables/Notes/fields", token: token).result
            let byName = Dictionary(uniqueKeysWithValues: design.map { ($0["Name"] as? String ?? "", $0) })
            #expect(byName["Created"]?["OnInsert"] as? Bool == true && byName["Created"]?["OnUpdate"] as? Bool == false)
            #expect(byName["Modified"]?["OnInsert"] as? Bool == true && byName["Modified"]?["OnUpdate"] as? Bool == true)
            #expect(byName["Touched"]?["OnInsert"] as? Bool == false && byName["Touched"]?["TimeZone"] as? String == "America/New_York")
            #expect(byName["Title"]?["OnInsert"] is NSNull && byName["Title"]?["OnUpdate"] is NSNull, "only TIMESTAMP fields have the options")
            #expect(byName["Modified"]?["Editable"] as? Bool == false)

            #expect(try await sandbox.api("POST", "tables/Notes/records", json: ["Title": "a"], token: token).status == 201)
            var row = try await sandbox.api("GET", "tables/Notes/records", token: token).result.first
            #expect(row?["Created"] as? String == "2026-03-01T10:00:00" && row?["Modified"] as? String == "2026-03-01T10:00:00")
            #expect(row?["Touched"] is NSNull, "not stamped on insert")

            clock.set("2026-03-02T11:30:00")
            #expect(try await sandbox.api("PUT", "tables/Notes/records?q.where=PK_ID=1", json: ["Title": "b"], token: token).status == 200)
            row = try await sandbox.api("GET", "tables/Notes/records", token: token).result.first
            #expect(row?["Created"] as? String == "2026-03-01T10:00:00", "stamped on insert only")
            #expect(row?["Modified"] as? String == "2026-03-02T11:30:00")
            #expect(row?["Touched"] as? String == "2026-03-02T06:30:00", "New York's wall clock")

            // A client never sets a stamp: 400 naming the field, nothing written.
            let refused = try await sandbox.api("PUT", "tables/Notes/records?q.where=PK_ID=1", json: ["Modified": "2020-01-01T00:00:00"], token: token)
            #expect(refused.status == 400 && (refused.object["Message"] as? String)?.contains("Modified") == true, "\(refused.text)")
            #expect(try await sandbox.api("POST", "tables/Notes/records", json: ["Title": "c", "Created": "2020-01-01"], token: token).status == 400)
            #expect(try await sandbox.api("GET", "tables/Notes/records", token: token).result.count == 1)

            // The options change with the field; a stamp on update then follows it.
            let changed = try await sandbox.api("PUT", "tables/Notes/fields/Created", json: ["OnUpdate": true], token: token)
            #expect(changed.status == 204, "\(changed.text)")
            clock.set("2026-03-03T08:00:00")
            #expect(try await sandbox.api("PUT", "tables/Notes/records?q.where=PK_ID=1", json: ["Title": "d"], token: token).status == 200)
            row = try await sandbox.api("GET", "tables/Notes/records", token: token).result.first
            #expect(row?["Created"] as? String == "2026-03-03T08:00:00")
        }
    }

    @Test func optionsOutsideTimestampFieldsAndUnknownZonesAreRefused() async throws {
        try await SandboxHarness.with { sandbox in
            let token = try await sandbox.accessToken()
            for field: [String: Any] in [
                ["Name": "F", "Type": "STRING", "OnUpdate": true],
                ["Name": "F", "Type": "DATE/TIME", "TimeZone": "UTC"],
                ["Name": "F", "Type": "TIMESTAMP", "TimeZone": "Mars/Olympus"],
                ["Name": "F", "Type": "TIMESTAMP", "OnInsert": "yes"],
            ] {
                let reply = try await sandbox.api("POST", "tables", json: ["Name": "Bad", "Fields": [field]], token: token)
                #expect(reply.status == 400 && (reply.object["Message"] as? String)?.isEmpty == false, "\(field): \(reply.text)")
            }
            // Null flags (what a field's design reads as) are no options at all.
            let copied = try await sandbox.api("POST", "tables", json: ["Name": "Fine", "Fields": [["Name": "F", "Type": "STRING", "OnInsert": NSNull(), "OnUpdate": NSNull(), "TimeZone": ""]]], token: token)
            #expect(copied.status == 201, "\(copied.text)")
        }
    }

    @Test func v4ReportsAndStampsAndRefusesAStampPerRow() async throws {
        let clock = SetClock("2026-04-01T09:00:00")
        try await SandboxHarness.with(Self.longTokens, clock: SandboxClock(dates: clock.read)) { sandbox in
            let token = try await sandbox.accessToken()
            let made = try await sandbox.v4("POST", "tables", json: ["name": "Jobs", "fields": [
                ["name": "Title", "dataType": "TEXT255"],
                ["name": "Modified", "dataType": "TIMESTAMP", "stampOnInsert": true, "stampOnUpdate": true],
            ]], token: token)
            #expect(made.status == 201, "\(made.text)")
            let id = try #require(made.data.first?["tableId"] as? String)
            let field = try await sandbox.v4("GET", "tables/\(id)/fields/Modified", token: token).data.first
            #expect(field?["dataType"] as? String == "TIMESTAMP" && field?["editable"] as? Bool == false)
            #expect(field?["stampOnInsert"] as? Bool == true && field?["stampOnUpdate"] as? Bool == true && field?["stampTimeZone"] is NSNull)
            let title = try await sandbox.v4("GET", "tables/\(id)/fields/Title", token: token).data.first
            #expect(title?["stampOnInsert"] as? Bool == false && title?["stampOnUpdate"] as? Bool == false)
            let schema = try await sandbox.v4("GET", "schemas/tables?pageSize=1000", token: token).data.first { $0["name"] as? String == "Jobs" }
            let listed = (schema?["fields"] as? [[String: Any]])?.first { $0["name"] as? String == "Modified" }
            #expect(listed?["stampOnUpdate"] as? Bool == true)

            // Bulk insert: stamped; a row that sends the stamp fails alone.
            let bulk = try await sandbox.v4("POST", "tables/\(id)/records/bulk", json: [["Title": "a"], ["Title": "b", "Modified": "2020-01-01T00:00:00"], ["Title": "c"]], token: token)
            #expect(bulk.status == 207, "\(bulk.text)")
            #expect(bulk.data.map { $0["status"] as? Int } == [201, 400, 201])
            var rows = try await sandbox.v4("GET", "tables/\(id)/records?orderBy=PK_ID", token: token).data
            #expect(rows.map { $0["Modified"] as? String } == ["2026-04-01T09:00:00", "2026-04-01T09:00:00"])

            clock.set("2026-04-01T09:05:00")
            #expect(try await sandbox.v4("PATCH", "tables/\(id)/records/1", json: ["Title": "A"], token: token).data.first?["Modified"] as? String == "2026-04-01T09:05:00")
            clock.set("2026-04-01T09:10:00")
            let updated = try await sandbox.v4("PATCH", "tables/\(id)/records/bulk", json: ["where": "Title = N'c'", "recordValues": ["Title": "C"]], token: token)
            #expect(updated.status == 200, "\(updated.text)")
            rows = try await sandbox.v4("GET", "tables/\(id)/records?orderBy=PK_ID", token: token).data
            #expect(rows.map { $0["Modified"] as? String } == ["2026-04-01T09:05:00", "2026-04-01T09:10:00"])
            #expect(try await sandbox.v4("PATCH", "tables/\(id)/records/1", json: ["Modified": NSNull()], token: token).status == 400)

            // The options change through PATCH …/fields/{fieldName}; a v3 write stamps as a v4 one.
            let patched = try await sandbox.v4("PATCH", "tables/\(id)/fields/Modified", json: ["stampOnUpdate": false, "stampTimeZone": "Europe/Berlin"], token: token)
            #expect(patched.data.first?["stampOnUpdate"] as? Bool == false && patched.data.first?["stampTimeZone"] as? String == "Europe/Berlin", "\(patched.text)")
            clock.set("2026-04-01T10:00:00")
            #expect(try await sandbox.api("POST", "tables/Jobs/records", json: ["Title": "d"], token: token).status == 201)
            #expect(try await sandbox.api("PUT", "tables/Jobs/records?q.where=PK_ID=1", json: ["Title": "AA"], token: token).status == 200)
            rows = try await sandbox.v4("GET", "tables/\(id)/records?orderBy=PK_ID", token: token).data
            #expect(rows.map { $0["Modified"] as? String } == ["2026-04-01T09:05:00", "2026-04-01T09:10:00", "2026-04-01T12:00:00"])
        }
    }

    /// The demo's Staff table has one (`Updated`, on insert and update): its rows carry the
    /// seed's stamps, and a change of any kind, an attachment's too, stamps the row.
    @Test func theDemoStaffTableIsStampedOnUpdate() async throws {
        let clock = SetClock("2026-05-01T00:00:00")
        try await SandboxHarness.with({ Self.longTokens(&$0); $0.demoStaffTable = true }, clock: SandboxClock(dates: clock.read)) { sandbox in
            let token = try await sandbox.accessToken()
            let updated = try await sandbox.api("GET", "tables/Staff/fields/Updated", token: token).object["Result"] as? [String: Any]
            #expect(updated?["Type"] as? String == "TIMESTAMP" && updated?["OnUpdate"] as? Bool == true && updated?["OnInsert"] as? Bool == true)
            var rows = try await sandbox.api("GET", "tables/Staff/records?q.orderBy=PK_ID", token: token).result
            #expect(rows.map { $0["Updated"] as? String } == Array(repeating: "2024-01-05T09:00:00", count: 3))
            let (type, body) = SandboxFilesTests.multipart("File", [("ben.txt", "Ben")])
            let put = try await sandbox.send("PUT", "/integrations/rest/v3/tables/Staff/attachments/Photo/2",
                                             headers: [("Authorization", "Bearer " + token), ("Content-Type", type)], body: body)
            #expect(put.status == 204, "\(put.text)")
            rows = try await sandbox.api("GET", "tables/Staff/records?q.orderBy=PK_ID", token: token).result
            #expect(rows.map { $0["Updated"] as? String } == ["2024-01-05T09:00:00", "2026-05-01T00:00:00", "2024-01-05T09:00:00"])
        }
    }
}
