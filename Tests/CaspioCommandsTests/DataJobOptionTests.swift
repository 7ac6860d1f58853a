import ArgumentParser
@testable import CaspioCommands
import Testing

/// `caspio import` and `export`'s field and CSV options, as the command line reads them.
@Suite struct DataJobOptionTests {
    @Test func aDelimiterIsOneCharacterAndTabHasAName() throws {
        let export = try #require(try parse(["export", "Staff", "--delimiter", ";", "--crlf", "--skip", "Skills"]) as? ExportCommand)
        #expect(try DataJob.delimiter(export.delimiter) == ";" && export.crlf && export.skip == "Skills")
        let imported = try #require(try parse(["import", "Staff", "in.csv", "--delimiter", "tab", "--columns", "Name,Email"]) as? ImportCommand)
        #expect(try DataJob.delimiter(imported.delimiter) == "\t" && imported.columns == "Name,Email")
        let columns = try #require(try parse(["export", "Staff", "--columns", "Name,Email"]) as? ExportCommand)
        #expect(columns.select == "Name,Email")
        for bad in [";;", "\"", "é"] {
            let refused = try #require(refusal(["import", "Staff", "in.csv", "--delimiter", bad]), "\(bad)")
            #expect(refused.message.contains("--delimiter must be one ASCII character"), "\(refused.message)")
        }
    }

    @Test func columnsAndSkipAreOneOrTheOther() throws {
        let refused = try #require(refusal(["import", "Staff", "in.csv", "--columns", "Name", "--skip", "Skills"]))
        #expect(refused.message.contains("give --columns or --skip, not both"), "\(refused.message)")
        let export = try #require(refusal(["export", "Staff", "--select", "Name", "--skip", "Skills"]))
        #expect(export.message.contains("not both"), "\(export.message)")
    }
}
