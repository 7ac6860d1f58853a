import LuaBridge
import LuaJSON
import Testing

/// A number beyond the double range is refused, not decoded to an infinity that could not be
/// encoded again; one below it rounds to zero, as JSON parsers do.
@Suite struct RangeTests {
    @Test(arguments: ["1e400", "-1e400", "[1, 2e309]"])
    func aNumberBeyondTheDoubleRangeIsRefused(_ text: String) throws {
        let error = try #require(try JSONLua().decodeError(Array(text.utf8)), "must be refused")
        #expect(error.message == "number out of range (beyond 1.8e308)")
    }

    @Test func aTinyNumberIsZeroAndRoundTrips() throws {
        #expect(try JSONLua().roundTrip("[1e-400, 1.7976931348623157e308]") == "[0.0,1.7976931348623157e+308]")
    }
}
