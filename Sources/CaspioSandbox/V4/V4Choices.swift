/// Every answer the sandbox gives where API-V4-NOTES.md marks Caspio's as [unknown]: chosen
/// once, here, and listed in docs/sandbox.md ("v4: our choices for the unknowns") with why and
/// the fact each stands on. When a user reports Caspio's real answer, change it here and there.
enum V4Choices {
    // MARK: Identifiers

    /// Tables [live: six characters of a-z0-9]: derived from the name, so the same table has
    /// the same id on every start of the demo or a `--seed` file, and different tables differ.
    static func tableID(_ name: String, attempt: Int = 0) -> String { shortID("table", name, attempt) }

    /// Views [unknown]: the tables' form, from the view's name.
    static func viewID(_ name: String, attempt: Int = 0) -> String { shortID("view", name, attempt) }

    /// Directories, webhooks and their events, folders, files, apps [unknown, files: a GUID]:
    /// the GUID v3 already gives each (`Id` / `ExternalKey`), so both versions name an object alike.
    static func objectID(v3 key: String) -> String { key }

    /// FNV-1a of `kind:name` (case folded, as names are matched), six base-36 digits; a
    /// collision takes the next `attempt`.
    private static func shortID(_ kind: String, _ name: String, _ attempt: Int) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(kind):\(name.lowercased())#\(attempt)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        let digits = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<6).map { _ in
            defer { hash /= 36 }
            return digits[Int(hash % 36)]
        })
    }

    // MARK: Answers

    /// Single objects [unknown] come as `{"data":[object]}`: one rule for every answer that
    /// carries objects (lists add `pagination`), and what a user reads first (`data[0]`).
    static func single(_ object: JSON, status: Int = 200) -> SandboxResponse { .json(status, .object([("data", .array([object]))])) }

    /// PK_IDs in write answers [live: strings in the pinned bulk test]: strings everywhere.
    static func pkID(_ value: JSON?) -> JSON {
        switch value {
        case .int(let i)?: .string(String(i))
        case let other?: other
        case nil: .null
        }
    }

    /// `pagination` when the request did not page [unknown]: page 1, its size the limit used.
    static let unpagedPageNumber = 1

    /// A record read by PK_ID: `{"data":[record]}`. PATCH and PUT of one record [unknown]:
    /// 200 with the record as changed; DELETE of one: 204 without a body.
    static let singleDeleteStatus = 204

    /// Bulk update and delete [unknown, "a count is likely"]: 200 `{"recordsAffected": n}`,
    /// plus `data` (the rows as changed, or as they were) with `echo=true`.
    static let affectedKey = "recordsAffected"

    /// More than 1,000 rows in a bulk insert [unknown]: the whole request fails, 400
    /// `IncorrectBodyParameter`, nothing written; as do an empty array and a body not an array.
    static let maxBulkRows = Store.maxRows

    /// `POST …/directories/{directoryId}/users/bulk` [spec: the path; bodies unknown]: as a
    /// records' bulk insert (a bare array of 1 to `maxBulkRows` users, 201 or 207 with one item
    /// per user in order, `echo=true` adding each user as stored), each user named by this key,
    /// the `{userId}` of its path, where a record's answer has `PK_ID`.
    static let bulkUserKey = "UserGUID"

    /// A value of the wrong type [unknown on v4; v3 answers 500 InvalidInputValue]: v4 answers
    /// 400 `InvalidInputValue` with a hint, the status the live 207 example shows for one row.
    static let invalidValueStatus = 400

    // TIMESTAMP fields [spec: stampOnInsert, stampOnUpdate, stampTimeZone; generated types are
    // "never sent in bodies"]: a value sent for one is refused as for every generated field
    // (`FieldType.generated`, 400 naming it; a bulk row fails alone); every change of a row
    // stamps its stampOnUpdate fields (`Store.setValues`); time zones are IANA names
    // (`FieldType.checkStamp`). Other types report both flags false (`Sandbox.stampJSON`).

    /// `q.`-prefixed parameters [unknown]: 400 `IncorrectQueryParameter`, with a hint naming
    /// the v4 spelling, so a v3 habit is never silently ignored.
    static let qPrefixStatus = 400

    /// The tautology guard [spec: on "when the guard is active"; status, code and rule unknown]:
    /// on by default; 400 `AlwaysTrueCondition` for a condition no row could fail
    /// (`Store.isAlwaysTrue`).
    static let tautologyCode = "AlwaysTrueCondition"

    /// T-SQL's BINARY_CHECKSUM and CHECKSUM_AGG in clauses [unknown: "aggregates … work", these
    /// two not named]: taken, by v3's clauses and v4's alike (one engine runs both), so that a
    /// count with a checksum over the rows tells an unchanged table in one call
    /// (`SQLiteConnection.defineChecksumFunctions`). `SandboxSettings.checksumFunctions` off
    /// refuses them on v4, 400 `IncorrectQueryParameter`, as a Caspio that does not take them would.
    static let checksumFunctions = ["BINARY_CHECKSUM", "CHECKSUM_AGG"]

    /// `POST …/records/bulk/attachments` [spec: the path; body unknown]: multipart/form-data,
    /// one file part per record, its form name `FIELD/PK_ID` (v3's path order,
    /// `attachments/{fieldName}/{recordPkId}`), the filename the file's; 1 to `maxBulkRows`
    /// parts. Each part goes in on its own; the answer is `{"recordsAffected": n, "data": [one
    /// item per part, in order: {"status": 200, "PK_ID", "fieldName", "fileName"} or {"status",
    /// "error"}]}`, 200 when all went in, else 207 (as a bulk insert's rows).
    static func bulkAttachmentTarget(_ partName: String) -> (field: String, pk: String)? {
        guard let slash = partName.firstIndex(of: "/") else { return nil }
        let field = String(partName[..<slash]), pk = String(partName[partName.index(after: slash)...])
        return field.isEmpty || pk.isEmpty ? nil : (field, pk)
    }

    /// `GET /v4/aiManifest` [spec: the path; shape unknown]: a JSON description of how to use
    /// this API (authentication, conventions and limits, the operations served), built from
    /// the values the routes use (`Sandbox.v4Manifest`).
    static let manifestName = "Caspio REST API v4 (caspio sandbox)"

    /// Structural deletes [spec: 405 by design]: code `MethodNotAllowed`.
    static let structuralDeleteCode = "MethodNotAllowed"

    /// The query parameter of `fileAssets/files/path*` [unknown]: v3's `filePath`.
    static let filePathParameter = "filePath"

    /// `DocumentationUrl` [spec: present, target unknown]: the sandbox's own `/v4/errors/{code}`.
    static func documentationURL(_ code: String) -> String { "\(SandboxServer.v4Prefix)/errors/\(code)" }

    /// `GET /v4/me`'s names for the sandbox account.
    static let profileName = "sandbox"
    static let accountSubdomain = "sandbox"
}
