import CaspioTestSupport
import Foundation
import Testing

/// A directory's users added in bulk on REST API v4 (`caspio run --sandbox`, shuffled reads):
/// a list goes as `POST …/users/bulk` chunks of up to 1,000, a 207 names each failed user by
/// its position with Caspio's reason and carries those added; v3 still sends one request a user.
@Suite struct V4UsersBulkTests {
    static let prelude = luaExpectError + """
        local function calls(method) return caspio.stats().requests_by_method[method] or 0 end
        local directory = caspio.directory(caspio.directories()[1].Id)
        local function count() local n = 0 for _ in directory:users() do n = n + 1 end return n end
        local function users(n, from)
          local list = {}
          for i = 1, n do list[i] = { Email = "bulk" .. (from + i) .. "@example.com", FirstName = "U" .. (from + i) } end
          return list
        end

        """

    @Test func aThousandUsersAreOneCallOnV4() async throws {
        let result = try await runLuaInSandbox(Self.prelude + """
            local before, posts = count(), calls("POST")
            local added = directory:add(users(1000, 0))
            local ok = #added == 1000
            for i, u in ipairs(added) do
              ok = ok and u.Email == "bulk" .. i .. "@example.com" and type(u.UserGUID) == "string" and #u.UserGUID == 36 and u.Status == "Inactive"
            end
            print("thousand", calls("POST") - posts, ok, count() - before)
            posts = calls("POST")
            print("chunked", #directory:add(users(5, 1000), { chunk = 2, concurrency = 2 }), calls("POST") - posts)
            expect_error(directory.add, directory, users(2, 2000), { chunk = 1001 })
            expect_error(directory.add, directory, { { Email = "x@example.com" }, "two" })
            print("refused", calls("POST") - posts)
            """, flags: ["-v"], environment: V4ObjectsTests.v4)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            thousand\t1\ttrue\t1000
            chunked\t5\t3
            error\tchunk must be an integer from 1 to 1000 (got the number 1001)
            error\tbad argument #1 to 'add' (list of users expected; item 2 is the string "two")
            refused\t3

            """, "\(result.stdout)")
        #expect(result.stderr.contains("/users/bulk?echo=true"), "\(result.stderr)")
    }

    @Test func aMultiStatusNamesTheFailedUsersAndCarriesThoseAdded() async throws {
        let result = try await runLuaInSandbox(Self.prelude + """
            local before, posts = count(), calls("POST")
            local list = users(5, 3000)
            list[2].Email, list[4].Email = "ann@example.com", "bo@example.com"
            local ok, e = pcall(directory.add, directory, list)
            print(ok, e.kind, e.status, #e.failed, #e.inserted, count() - before, calls("POST") - posts)
            local failed = {}
            for i, f in ipairs(e.failed) do failed[i] = f.index .. "=" .. f.status .. ":" .. f.row.Email end
            print(table.concat(failed, ","), e.inserted[1].Email, e.inserted[3].Email, type(e.inserted[2].UserGUID))
            print(tostring(e))
            """, environment: V4ObjectsTests.v4)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first == "false\thttp\t207\t2\t3\t3\t1")
        #expect(lines.dropFirst().first == "2=400:ann@example.com,4=400:bo@example.com\tbulk3001@example.com\tbulk3005@example.com\tstring")
        let message = lines.last ?? ""
        #expect(message.hasPrefix("HTTP 207: 2 of 5 users not added, 3 added (the error's `inserted` holds those with their UserGUIDs, `failed` the others): users 2, 4: "), "\(message)")
        #expect(message.contains("(400") && message.hasSuffix("/users/bulk)"), "\(message)")
    }

    @Test func v3StillSendsOneRequestAUser() async throws {
        let result = try await runLuaInSandbox(Self.prelude + """
            local before, posts = count(), calls("POST")
            local added = directory:add(users(3, 4000))
            print(#added, added[3].Email, type(added[3].UserGUID), calls("POST") - posts, count() - before)
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "3\tbulk4003@example.com\tstring\t3\t3\n", "\(result.stdout)")
    }

    /// A bulk answer in the shapes the notes leave open, from a server that picks other choices
    /// than the sandbox: ids as `userId` without the users, no body at all (every user added,
    /// as sent), a PascalCase 207 whose errors are objects.
    static func reply(_ request: TestHTTPServer.Request) -> TestHTTPServer.Reply {
        let bulk = "/integrations/rest/v4/directories/d1/users/bulk"
        switch (request.method, request.path) {
        case (_, "/oauth/token"):
            return .json(200, ["access_token": "tolerance-token", "token_type": "bearer", "expires_in": 3600])
        case ("POST", bulk) where request.bodyText.contains("ids@"):
            return .json(201, ["userId": ["g1", "g2"]])
        case ("POST", bulk) where request.bodyText.contains("bare@"):
            return .text(201, "", contentType: "application/json")
        case ("POST", bulk) where request.bodyText.contains("some@"):
            return .json(207, ["Data": [["Status": 201, "UserId": "g5"], ["Status": 409, "Error": ["Message": "Email taken", "Code": "Conflict"]]]])
        default:
            return .json(404, ["Code": "NotFound", "Message": "no \(request.method) \(request.path)"])
        }
    }

    @Test func otherAnswerShapesAreReadAllTheSame() async throws {
        let result = try await runAgainstScriptedV4(Self.reply, """
            local d = caspio.directory("d1")
            local ids = d:add({ { Email = "ids@x.com" }, { Email = "ids2@x.com" } })
            print("ids", ids[1].Email, ids[1].UserGUID, ids[2].UserGUID)
            local bare = d:add({ { Email = "bare@x.com" }, { Email = "bare2@x.com" } })
            print("bare", #bare, bare[2].Email, bare[2].UserGUID)
            local ok, e = pcall(d.add, d, { { Email = "some@x.com" }, { Email = "taken@x.com" } })
            print("some", ok, e.status, e.inserted[1].UserGUID, e.failed[1].index, e.failed[1].status, e.failed[1].code, e.failed[1].message)
            print("posts", caspio.stats().requests_by_method.POST)
            """)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == """
            ids\tids@x.com\tg1\tg2
            bare\t2\tbare2@x.com\tnil
            some\tfalse\t207\tg5\t2\t409\tConflict\tEmail taken
            posts\t3

            """, "\(result.stdout)")
    }
}
