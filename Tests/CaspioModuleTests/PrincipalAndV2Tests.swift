import CaspioTestSupport
import Foundation
import Testing

/// The Principal header (run-wide `--principal`, the `principal` request option), and the
/// helpers against a v2 base URL: v2 paths for tasks and applications, a clear 404 for what
/// only v3 has.
@Suite struct PrincipalAndV2Tests {
    @Test func principalReachesEveryRequest() async throws {
        let fake = try await EmulatedCaspio.start()
        let result = try await runLua("""
            caspio.get("tables")
            caspio.request("GET", "tables", {principal = "nurse@example.com", headers = {principal = "ignored"}})
            caspio.request("GET", "tables", {headers = {Principal = "from-headers"}})
            local ok, e = pcall(caspio.request, "GET", "tables", {principal = 5})
            print(ok, (tostring(e):gsub("^[^:]*:%d+: ", "")))
            """, against: fake, flags: ["--principal", "Dr. Ada"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "false\tprincipal must be a string (got the number 5)\n")
        #expect(fake.resourceRequests.map { $0.header("Principal") } == ["Dr. Ada", "nurse@example.com", "from-headers"])
        let without = try await EmulatedCaspio.start()
        _ = try await runLua("caspio.get('tables')", against: without)
        #expect(without.resourceRequests.first?.header("Principal") == nil)
    }

    @Test func v2PathsAndWhatV2HasNot() async throws {
        let (sandbox, exports) = try await SpawnedProcess.sandbox([])
        defer { sandbox.signal(SIGTERM) }  // reaped by its own thread; letting go kills what is left
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var env = exports
        env["CASPIO_BASE_URL"] = exports["CASPIO_BASE_URL"]?.replacingOccurrences(of: "/integrations/rest/v3", with: "/rest/v2")
        (env["CASPIO_TOKEN_CACHE"], env["CASPIO_CONFIG"], env["HOME"]) = ("off", directory.path + "/none.toml", directory.path)
        let script = try write(luaExpectError + """
            for task in caspio.tasks.list() do print(task.Name) end
            print(caspio.tasks.run("00000000-0000-4000-8000-000000000301"))
            for app in caspio.apps.list() do print(app.AppName) end
            print(caspio.table("Customers"):count())
            local ok, e = pcall(caspio.webhooks.get, "nope")
            print(e.status, e.message:match("outgoing webhooks are a REST API v3 operation") ~= nil)
            """, to: directory.appendingPathComponent("v2.lua"))
        let result = try await caspio(["run", "-v", script.path], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "Export customers\nImport new products\ntrue\nOrder Desk\n250\n404\ttrue\n", "\(result.stdout)")
        #expect(result.stderr.contains("/rest/v2/tasks"), "\(result.stderr)")
        #expect(result.stderr.contains("/rest/v2/applications"), "\(result.stderr)")
    }
}
