import CaspioTestSupport
import Foundation
import LuaBridge
import Testing

/// caspio.date, in process: Caspio's ISO 8601 text to os.time tables and back, and dates in
/// where clauses quoted as date literals.
@Suite struct DatesTests {
    /// Text, and the parts caspio.date.parse reads from it ("y-m-d h:m:s.ms").
    static let parsed: [(String, String)] = [
        ("2024-01-05", "2024-1-5 0:0:0.0"),
        ("2024-01-05T00:00:00", "2024-1-5 0:0:0.0"),
        ("2022-01-25T15:17:10.607", "2022-1-25 15:17:10.607"),
        ("2022-01-25T15:17:10.6", "2022-1-25 15:17:10.600"),
        ("2022-01-25T15:17:10.6071234", "2022-1-25 15:17:10.607"),
        ("2024-02-29 09:30", "2024-2-29 9:30:0.0"),
    ]

    @Test(arguments: parsed)
    func parses(text: String, parts: String) async throws {
        let lua = try InProcessLua()
        let source = #"local d = caspio.date.parse("\#(text)") return string.format("%d-%d-%d %d:%d:%d.%d", d.year, d.month, d.day, d.hour, d.min, d.sec, d.ms)"#
        #expect(await lua.values(source) == [.string(parts)])
    }

    /// What is not one of Caspio's dates, and what the error says.
    static let refused: [(String, String)] = [
        (#"caspio.date.parse("01/05/2024")"#, "is not one of Caspio's dates"),
        (#"caspio.date.parse("2023-02-29")"#, "2023-02-29 00:00:00.000 is not a date"),
        (#"caspio.date.parse("2024-01-05T25:00:00")"#, "is not a date"),
        (#"caspio.date.parse("2024-01-05T10:00:00+02:00")"#, "is not one of Caspio's dates"),
        ("caspio.date.parse(20240105)", "date text expected, got the number 20240105"),
        (#"caspio.date.format({year = 2024, month = 13, day = 1})"#, "is not a date"),
        (#"caspio.date.format({year = 2024})"#, "a date needs year, month and day"),
        (#"caspio.date.format("2024-01-05")"#, "a date table or an os.time() number expected"),
    ]

    @Test(arguments: refused)
    func refuses(source: String, message: String) async throws {
        let lua = try InProcessLua()
        let failure = await lua.failure(source)
        #expect(failure?.contains(message) == true, "\(failure ?? "no error")")
    }

    @Test func formatsAndRoundTripsThroughOsTime() async throws {
        let lua = try InProcessLua()
        #expect(await lua.values(#"return caspio.date.format(caspio.date.parse("2022-01-25T15:17:10.607"))"#) == ["2022-01-25T15:17:10.607"])
        #expect(await lua.values(#"return caspio.date.format({year = 2024, month = 1, day = 5})"#) == ["2024-01-05T00:00:00"])
        #expect(await lua.values(#"return caspio.date.format(os.time(caspio.date.parse("2024-03-10T02:30:00")) + 0.25)"#) != [])
        #expect(await lua.values(#"local t = caspio.date.parse("2023-07-01T08:09:10") return caspio.date.format(os.time(t))"#) == ["2023-07-01T08:09:10"])
        #expect(await lua.values(#"return tostring(caspio.date.parse("2024-01-05"))"#) == ["2024-01-05T00:00:00"])
    }

    @Test func whereQuotesDatesAsLiterals() async throws {
        let lua = try InProcessLua()
        #expect(await lua.values(#"return caspio.where({Joined = caspio.date.parse("2024-01-05")})"#) == ["Joined='2024-01-05T00:00:00'"])
        #expect(await lua.values(#"return caspio.where({Joined = {year = 2021, month = 3, day = 1, hour = 9}})"#) == ["Joined='2021-03-01T09:00:00'"])
        #expect(await lua.values(#"return caspio.where({Joined = {caspio.date.parse("2024-01-05"), {year = 2021, month = 3, day = 1}}})"#)
            == ["Joined IN ('2024-01-05T00:00:00', '2021-03-01T00:00:00')"])
    }
}
