/// Tasks (3), Bridge applications (7) and Flex applications (2) on v4: the seed's objects, as
/// v3 serves them, in lower camel case and addressed by their v3 keys (V4Choices.objectID).
/// A Flex app is not deleted through the API (405, by design).
extension Sandbox {
    static let v4AccountRoutes: [Route] = [
        Route(.get, "dataImportExportTasks") { s, r in try s.v4List(try s.locked { try $0.objects("task") }.map { v4Task($0.body) }, r.query) },
        Route(.get, "dataImportExportTasks/:taskId") { s, r in
            V4Choices.single(v4Task(try s.locked { try $0.object("task", try r.param("taskId"), what: "task") }))
        },
        Route(.post, "dataImportExportTasks/:taskId/run") { s, r in
            let (table, added) = try s.locked { store in try store.runTask(try store.object("task", try r.param("taskId"), what: "task")) }
            if !added.isEmpty { s.notify(table, "table.recordInsert", added, source: "Tasks") }
            return .noContent
        },
        Route(.get, "bridgeApplications") { s, r in
            try s.v4List(try s.locked { store in try store.objects("app").map { try v4App($0.body, store) } }, r.query)
        },
        Route(.get, "bridgeApplications/:appId") { s, r in
            V4Choices.single(try s.locked { store in try v4App(try store.object("app", try r.param("appId"), what: "application"), store) })
        },
        Route(.get, "bridgeApplications/:appId/dataPages") { s, r in
            try s.v4List(try s.locked { try $0.dataPages(try r.param("appId")) }.map { v4DataPage($0.body) }, r.query)
        },
        Route(.get, "bridgeApplications/:appId/dataPages/:appKey") { s, r in
            V4Choices.single(v4DataPage(try s.locked { try $0.dataPage(app: try r.param("appId"), key: try r.param("appKey")) }))
        },
        Route(.get, "bridgeApplications/:appId/dataPages/:appKey/deployment") { s, r in
            let page = try s.locked { try $0.dataPage(app: try r.param("appId"), key: try r.param("appKey")) }
            guard page["Deployed"]?.bool == true else { throw APIError.badQuery("The DataPage '\(page["Name"]?.string ?? "")' is not deployed") }
            let method = r.query["method"] ?? "Embedded"
            return V4Choices.single(.object([
                ("appKey", page["AppKey"] ?? .null), ("method", .string(method)), ("deployCode", .string(try deployCode(page["AppKey"]?.string ?? "", method: method))),
            ]))
        },
        Route(.put, "bridgeApplications/:appId/dataPages/:appKey/deployment") { s, r in
            let deployed = try v4Deployed(try s.jsonBody(r))
            try s.locked { store in
                let app = try r.param("appId"), page = try store.dataPage(app: app, key: try r.param("appKey"))
                try store.putObject("datapage", page["AppKey"]?.string ?? "", parent: app, page.setting("Deployed", .bool(deployed)))
            }
            return .noContent
        },
        Route(.put, "bridgeApplications/:appId/dataPages/bulk/deployment") { s, r in
            let deployed = try v4Deployed(try s.jsonBody(r))
            try s.locked { store in
                let app = try r.param("appId")
                for page in try store.dataPages(app) { try store.putObject("datapage", page.id, parent: app, page.body.setting("Deployed", .bool(deployed))) }
            }
            return .noContent
        },
        Route(.get, "flexApplications") { s, r in try s.v4List(try s.locked { try $0.objects("flexapp") }.map { v4FlexApp($0.body) }, r.query) },
        Route(.get, "flexApplications/:appId") { s, r in
            V4Choices.single(v4FlexApp(try s.locked { try $0.object("flexapp", try r.param("appId"), what: "Flex application") }))
        },
        Route(.delete, "flexApplications/:appId") { _, _ in throw structuralDelete("a Flex application") },
    ]

    static func v4Task(_ task: JSON) -> JSON {
        .object([
            ("taskId", .string(V4Choices.objectID(v3: task["ExternalKey"]?.string ?? ""))), ("name", task["Name"] ?? .null),
            ("status", task["Status"] ?? .null), ("taskTimeZone", task["TaskTimeZone"] ?? .null), ("frequency", task["Frequency"] ?? .null),
            ("note", task["Note"] ?? .null),
        ])
    }

    static func v4App(_ app: JSON, _ store: Store) throws -> JSON {
        let key = app["ExternalKey"]?.string ?? ""
        return .object([
            ("appId", .string(V4Choices.objectID(v3: key))), ("appName", app["AppName"] ?? .null),
            ("dataPagesCount", .int(try store.objects("datapage", parent: key).count)),
            ("dateCreated", app["DateCreated"] ?? .null), ("dateModified", app["DateModified"] ?? .null),
        ])
    }

    static func v4DataPage(_ page: JSON) -> JSON {
        .object([
            ("appKey", page["AppKey"] ?? .null), ("name", page["Name"] ?? .null), ("appName", page["AppName"] ?? .null), ("path", page["Path"] ?? .null),
            ("type", page["Type"] ?? .null), ("deployed", .bool(page["Deployed"]?.bool ?? false)), ("dateCreated", page["DateCreated"] ?? .null),
            ("dateModified", page["DateModified"] ?? .null), ("createdBy", page["CreatedBy"] ?? .null), ("modifiedBy", page["ModifiedBy"] ?? .null),
            ("note", page["Note"] ?? .null),
        ])
    }

    static func v4FlexApp(_ app: JSON) -> JSON {
        .object([("appId", app["Id"] ?? .null), ("name", app["Name"] ?? .null), ("dateCreated", app["DateCreated"] ?? .null), ("note", app["Note"] ?? .null)])
    }

    private static func v4Deployed(_ body: JSON) throws(APIError) -> Bool {
        guard let deployed = body["deployed"]?.bool else {
            throw APIError(400, "IncorrectBodyParameter", "deployed (true or false) is required", remediation: #"Send {"deployed": true}."#)
        }
        return deployed
    }
}

extension Store {
    /// The DataPage `key` of the application `app`.
    func dataPage(app: String, key: String) throws -> JSON {
        _ = try object("app", app, what: "application")
        guard try parent("datapage", key) == app else { throw StoreError.notFound("Cannot find DataPage '\(key)'") }
        return try object("datapage", key, what: "DataPage")
    }
}
