import Foundation

/// What the sandbox starts with: the built-in demo, or a JSON file given with `--seed`:
/// `{"Tables":[{"Name":"T","Fields":[{"Name":"F","Type":"STRING"}],"Rows":[{"F":"x"}]}]}`, plus
/// optionally the account's other objects in the shape of `DemoSeed.document` (Views,
/// Attachments, Files (of the root), Folders, Webhooks, Tasks, Applications, FlexApplications, Directories; docs/sandbox.md).
/// `"Demo": true` (or `{"StaffTable": true}`) starts from the built-in demo and adds the rest.
/// Both are deterministic, so examples and tests can assert exact numbers.
enum Seed {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func load(path: String, into store: Store) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot read seed file \(path)") }
        guard let document = JSON.parse(Array(data)), document["Tables"]?.array != nil || document["Demo"] != nil else {
            throw Failure(description: "\(path): expected {\"Tables\": [{\"Name\", \"Fields\", \"Rows\"}]} or {\"Demo\": true}")
        }
        switch document["Demo"] {
        case nil, .bool(false)?: break
        case let demo?: try loadDemo(into: store, staffTable: demo["StaffTable"]?.bool ?? false)
        }
        try apply(document, to: store, origin: path)
    }

    /// Loads a seed document in one transaction; failures name the part that failed.
    static func apply(_ document: JSON, to store: Store, origin: String) throws {
        try store.locked {
            try store.transaction {
                for table in document["Tables"]?.array ?? [] { try step(origin, "table \(table["Name"]?.string ?? "?")") { try loadTable(table, store) } }
                for view in document["Views"]?.array ?? [] {
                    try step(origin, "view \(view["Name"]?.string ?? "?")") {
                        try store.createView(Store.ViewDefinition(
                            name: view["Name"]?.string ?? "", tables: view["Tables"]?.strings ?? [], join: view["Join"]?.string,
                            filter: view["Where"]?.string, fields: view["Fields"]?.strings ?? [], note: view["Note"]?.string))
                    }
                }
                for item in document["Attachments"]?.array ?? [] { try step(origin, "attachment") { try loadAttachment(item, store) } }
                for file in document["Files"]?.array ?? [] { try step(origin, "file \(file["Name"]?.string ?? "?")") { try loadFile(file, folder: "", store) } }
                for folder in document["Folders"]?.array ?? [] { try step(origin, "folder \(folder["Name"]?.string ?? "?")") { try loadFolder(folder, parent: "", store) } }
                for hook in document["Webhooks"]?.array ?? [] { try step(origin, "webhook \(hook["Name"]?.string ?? "?")") { try loadWebhook(hook, store) } }
                for task in document["Tasks"]?.array ?? [] {
                    try step(origin, "task \(task["Name"]?.string ?? "?")") {
                        guard let key = task["ExternalKey"]?.string else { throw Failure(description: "a task needs ExternalKey") }
                        try store.putObject("task", key, task)
                    }
                }
                for app in document["Applications"]?.array ?? [] { try step(origin, "application \(app["AppName"]?.string ?? "?")") { try loadApp(app, store) } }
                for app in document["FlexApplications"]?.array ?? [] {
                    try step(origin, "Flex application \(app["Name"]?.string ?? "?")") {
                        guard let id = app["Id"]?.string else { throw Failure(description: "a Flex application needs Id") }
                        try store.putObject("flexapp", id, app)
                    }
                }
                for directory in document["Directories"]?.array ?? [] {
                    try step(origin, "directory \(directory["Name"]?.string ?? "?")") { try loadDirectory(directory, store) }
                }
            }
        }
    }

    private static func step(_ origin: String, _ what: String, _ body: () throws -> Void) throws {
        do { try body() } catch let error as StoreError {
            throw Failure(description: "\(origin): \(what): \(error.message)")
        } catch let error as APIError {
            throw Failure(description: "\(origin): \(what): \(error.message)")
        }
    }

    private static func loadTable(_ table: JSON, _ store: Store) throws {
        guard case .string(let name)? = table["Name"], case .array(let fields)? = table["Fields"] else { throw Failure(description: "each table needs Name and Fields") }
        try store.createTable(name, fields: try fields.map(Sandbox.fieldModel))
        let source = try store.tableSource(name)
        // A seed may set what the API may not: LIST values, generated fields.
        try store.insertRecords(source, bodies: table["Rows"]?.array ?? [], trusted: true)
    }

    private static func loadAttachment(_ item: JSON, _ store: Store) throws {
        let source = try store.tableSource(item["Table"]?.string ?? "")
        let place = try store.attachmentField(source, item["Field"]?.string ?? "", isView: false)
        let row = try store.attachmentRow(place, pk: String(item["PK_ID"]?.int ?? 0))
        try store.putAttachment(place, row: row, name: item["Name"]?.string ?? "", contentType: item["ContentType"]?.string ?? "application/octet-stream",
                                data: Array((item["Text"]?.string ?? "").utf8), stamp: false)
    }

    private static func loadFolder(_ folder: JSON, parent: String, _ store: Store) throws {
        let key = try store.createFolder(folder["Name"]?.string ?? "", in: parent, key: folder["ExternalKey"]?.string ?? UUID().uuidString.lowercased())
        for file in folder["Files"]?.array ?? [] { try loadFile(file, folder: key, store) }
        for child in folder["Folders"]?.array ?? [] { try loadFolder(child, parent: key, store) }
    }

    /// A file of a folder, or of the root (`folder` empty: the document's top-level `Files`).
    private static func loadFile(_ file: JSON, folder: String, _ store: Store) throws {
        _ = try store.storeFile(name: file["Name"]?.string ?? "", contentType: file["ContentType"]?.string ?? "text/plain",
                                data: Array((file["Text"]?.string ?? "").utf8), folder: folder, replace: false, newKey: file["ExternalKey"]?.string)
    }

    private static func loadWebhook(_ hook: JSON, _ store: Store) throws {
        guard let id = hook["Id"]?.string else { throw Failure(description: "a webhook needs Id") }
        var stored = try Sandbox.applyWebhook(hook, to: .object([
            ("Id", .string(id)), ("Status", .string("Enabled")), ("Secret", hook["Secret"] ?? .string(id.replacingOccurrences(of: "-", with: ""))),
            ("DateCreated", .string(hook["DateCreated"]?.string ?? "2024-01-05T09:00:00")), ("CreatedBy", .string("sandbox")),
            ("LastModified", .null), ("ModifiedBy", .null),
        ]), creating: true)
        stored = stored.setting("Secret", hook["Secret"] ?? stored["Secret"]!)
        try store.putObject("webhook", id, stored)
        for event in hook["Events"]?.array ?? [] {
            guard let eventID = event["Id"]?.string else { throw Failure(description: "a webhook event needs Id") }
            let base = JSON.object([("Id", .string(eventID)), ("DateCreated", .string("2024-01-05T09:00:00")), ("CreatedBy", .string("sandbox")),
                                    ("LastModified", .null), ("ModifiedBy", .null)])
            try store.putObject("event", eventID, parent: id, try Sandbox.applyEvent(event, to: base, store: store, webhook: id, id: eventID))
        }
    }

    private static func loadApp(_ app: JSON, _ store: Store) throws {
        guard let key = app["ExternalKey"]?.string else { throw Failure(description: "an application needs ExternalKey") }
        try store.putObject("app", key, app)
        for page in app["DataPages"]?.array ?? [] {
            guard let pageKey = page["AppKey"]?.string else { throw Failure(description: "a DataPage needs AppKey") }
            try store.putObject("datapage", pageKey, parent: key, page.setting("AppName", app["AppName"] ?? .null))
        }
    }

    private static func loadDirectory(_ directory: JSON, _ store: Store) throws {
        guard let id = directory["Id"]?.string else { throw Failure(description: "a directory needs Id") }
        try store.createDirectory(id: id, name: directory["Name"]?.string ?? "")
        let source = try store.usersSource(id)
        try store.insertRecords(source, bodies: directory["Users"]?.array ?? [], trusted: true)
    }
}
