import CaspioClient
import Foundation
import Testing

/// URLs shown in errors and logs are decoded per parameter, so a value holding `&` or a line
/// break cannot pass for two parameters.
@Suite struct ReadableURLTests {
    @Test func eachParameterIsDecodedOnItsOwn() {
        let target = RequestTarget(baseURL: URL(string: "https://a.example/rest/v3")!)
        let url = try! target.url(for: "tables/T/records", query: [("q.where", "Name='a&q.select=x' AND N=1"), ("q.select", "Name")])
        #expect(RequestTarget.readable(url) == "https://a.example/rest/v3/tables/T/records?q.where=Name='a%26q.select=x' AND N=1&q.select=Name")
        let lines = try! target.url(for: "tables/T/records", query: [("q.where", "A='x\ny'")])
        #expect(RequestTarget.readable(lines) == "https://a.example/rest/v3/tables/T/records?q.where=A='x%0Ay'")
        #expect(RequestTarget.readable("https://a.example/x") == "https://a.example/x")
        #expect(RequestTarget.readable("https://a.example/x?q.where=Name%20LIKE%20'A%25'") == "https://a.example/x?q.where=Name LIKE 'A%'")
    }
}
