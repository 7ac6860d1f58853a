import CaspioClient
import Testing

/// v4's `GET me` read tolerantly: either casing, numbers as text, a limit absent.
@Suite struct AccountFactsTests {
    @Test func meIsReadInEitherCasingWithNumbersAsText() throws {
        let pascal = try #require(AccountFacts(body: Array(#"{"WsProfileName":"p","RateLimit":{"Limit":"1000","WindowSeconds":60}}"#.utf8)))
        #expect(pascal == AccountFacts(profileName: "p", rateLimit: .init(limit: 1000, windowSeconds: 60)))
        let none = try #require(AccountFacts(body: Array(#"{"wsProfileName":"q","rateLimit":null}"#.utf8)))
        #expect(none.rateLimit == nil && none.summary == "API profile 'q', no rate limit published")
        #expect(AccountFacts(body: Array("[1]".utf8)) == nil)
    }
}
