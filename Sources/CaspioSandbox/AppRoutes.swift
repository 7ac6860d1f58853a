/// Bridge applications and their DataPages (openapi-v3.json `/bridgeApplications…`,
/// `/v2/applications`), defined in the seed; a DataPage's deployment is switched with PUT and
/// its deploy code read with GET (400 while it is not deployed).
extension Sandbox {
    static let appRoutes: [Route] = [
        Route(.get, "bridgeApplications") { s, _ in
            .result(.array(try s.locked { store in try store.objects("app").map { try appJSON($0.body, store) } }))
        },
        Route(.get, "bridgeApplications/:externalKey") { s, r in
            .result(try s.locked { store in try appJSON(try store.object("app", try r.param("externalKey"), what: "application"), store) })
        },
        Route(.get, "bridgeApplications/:externalKey/datapages") { s, r in
            .result(.array(try s.locked { try $0.dataPages(try r.param("externalKey")) }.map { dataPageJSON($0.body) }))
        },
        Route(.get, "bridgeApplications/:externalKey/datapages/:appKey") { s, r in
            .result(dataPageJSON(try s.locked { try $0.dataPage(r) }))
        },
        Route(.get, "bridgeApplications/:externalKey/datapages/:appKey/deployment") { s, r in
            let page = try s.locked { try $0.dataPage(r) }
            guard page["Deployed"]?.bool == true else { throw APIError.badQuery("The DataPage '\(page["Name"]?.string ?? "")' is not deployed") }
            return .json(200, .string(try deployCode(page["AppKey"]?.string ?? "", method: r.query["method"] ?? "")))
        },
        Route(.put, "bridgeApplications/:externalKey/datapages/:appKey/deployment") { s, r in
            let deployed = try deployedFlag(try s.jsonBody(r))
            try s.locked { store in
                let page = try store.dataPage(r)
                try store.putObject("datapage", page["AppKey"]?.string ?? "", parent: try r.param("externalKey"), page.setting("Deployed", .bool(deployed)))
            }
            return .noContent
        },
        Route(.put, "bridgeApplications/:externalKey/datapages/deployment") { s, r in
            let deployed = try deployedFlag(try s.jsonBody(r))
            try s.locked { store in
                let app = try r.param("externalKey")
                for page in try store.dataPages(app) { try store.putObject("datapage", page.id, parent: app, page.body.setting("Deployed", .bool(deployed))) }
            }
            return .noContent
        },
    ]

    /// A deployed DataPage's code for a deployment method (iFrame, URL, Embedded, Net or I, U, E, N).
    static func deployCode(_ key: String, method: String) throws(APIError) -> String {
        switch method.lowercased().first {
        case "i": "<iframe src=\"https://ACCOUNT.caspio.com/dp/\(key)\" width=\"100%\" height=\"600\"></iframe>"
        case "u": "https://ACCOUNT.caspio.com/dp/\(key)"
        case "e": "<script type=\"text/javascript\" src=\"https://ACCOUNT.caspio.com/dp/\(key)/emb\"></script>"
        case "n": "<%@ Register TagPrefix=\"caspio\" Namespace=\"Caspio\" %><caspio:DataPage AppKey=\"\(key)\" runat=\"server\" />"
        default: throw APIError.badQuery("method must be iFrame, URL, Embedded or Net (or I, U, E, N)")
        }
    }

    private static func deployedFlag(_ body: JSON) throws(APIError) -> Bool {
        guard let deployed = body["Deployed"]?.bool else { throw APIError.badBody("Deployed (true or false) is required") }
        return deployed
    }

    static func appJSON(_ app: JSON, _ store: Store) throws -> JSON {
        let count = try store.objects("datapage", parent: app["ExternalKey"]?.string ?? "").count
        return .object([
            ("AppName", app["AppName"] ?? .null), ("ExternalKey", app["ExternalKey"] ?? .null), ("DataPagesCount", .int(count)),
            ("DateCreated", app["DateCreated"] ?? .null), ("DateModified", app["DateModified"] ?? .null), ("DefaultIcon", .bool(true)), ("IconFileName", .null),
        ])
    }

    static func dataPageJSON(_ page: JSON) -> JSON {
        .object(["Name", "AppKey", "AppName", "Path", "Type", "DateCreated", "DateModified", "CreatedBy", "ModifiedBy", "Note"].map { ($0, page[$0] ?? .null) })
    }
}

extension Store {
    func dataPages(_ app: String) throws -> [(id: String, body: JSON)] {
        _ = try object("app", app, what: "application")
        return try objects("datapage", parent: app)
    }

    func dataPage(_ r: SandboxRequest) throws -> JSON { try dataPage(app: try r.param("externalKey"), key: try r.param("appKey")) }
}
