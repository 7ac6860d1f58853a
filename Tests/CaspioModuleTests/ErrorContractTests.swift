import CaspioClient
import CaspioModule
import Foundation
import LuaBridge
import Testing

/// Swift and Lua word an error by one formatter, and know one list of kinds with their exit
/// statuses.
@Suite struct ErrorContractTests {
    /// An error table of the Lua half, whatever its fields, reads as CaspioError's description.
    @Test(arguments: [
        CaspioError(.http, "Cannot find table 'X'", status: 404, code: "ObjectNotFound", requestID: "4f1c", method: "GET", url: "https://h/x"),
        CaspioError(.auth, "refused", status: 401), CaspioError(.auth, "no answer"), CaspioError(.http, "odd", url: "https://h/y"),
        CaspioError(.input, "in.csv:7: text after a closing quote"), CaspioError(.budget, "spent", code: ""),
    ])
    func luaErrorTablesReadAsSwiftErrors(error: CaspioError) async throws {
        let lua = try InProcessLua()
        func literal(_ text: String?) -> String { text.map { "[==[\($0)]==]" } ?? "nil" }
        let values = await lua.values("""
            local _, sample = pcall(function() for _ in caspio.csv.rows("A\\n\\"") do end end)
            local e = setmetatable({kind = \(literal(error.kind.rawValue)), message = \(literal(error.message)),
              status = \(error.status.map(String.init) ?? "nil"), code = \(literal(error.code)), request_id = \(literal(error.requestID)),
              method = \(literal(error.method)), url = \(literal(error.url))}, getmetatable(sample))
            return tostring(e), sample.kind
            """)
        #expect(values.first?.stringValue == error.description)
        #expect(values.dropFirst().first?.stringValue == CaspioError.Kind.input.rawValue)
    }

    @Test func everyKindHasTheExitStatusTheHelpLists() {
        let statuses = Dictionary(uniqueKeysWithValues: CaspioError.Kind.allCases.map { ($0.rawValue, $0.exitStatus) })
        #expect(statuses == ["config": 2, "auth": 3, "budget": 4, "http": 5, "network": 1, "input": 1, "timeout": 124])
    }
}
