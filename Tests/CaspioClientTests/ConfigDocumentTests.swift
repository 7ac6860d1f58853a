import Foundation
import Testing

@testable import CaspioClient

/// The config file editor on its own: what it keeps, what it refuses, how it writes.
@Suite struct ConfigDocumentTests {
    let entry = ProfileEntry(account: "c1new", clientID: "id", secret: .environment("NEW_SECRET"))

    @Test func headersAreMatchedByTheirKeysHoweverQuoted() throws {
        #expect(ConfigDocument.headerPath("[profiles.prod]") == ["profiles", "prod"])
        #expect(ConfigDocument.headerPath("  [ profiles . \"prod\" ]  # note") == ["profiles", "prod"])
        #expect(ConfigDocument.headerPath("[profiles.'a.b']") == ["profiles", "a.b"])
        #expect(ConfigDocument.headerPath("[[profiles]]") == ["profiles"])
        #expect(ConfigDocument.headerPath("account = \"[x]\"") == nil)

        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig("[profiles.\"prod\"]\naccount = \"a\"\nclient_id = \"b\"\nclient_secret_env = \"E\"\n\n[profiles.other]\naccount = \"o\"\n")
        var document = try ConfigDocument(path: sandbox.configPath)
        try document.removeProfile("prod")
        #expect(document.text == "[profiles.other]\naccount = \"o\"\n")
    }

    @Test func aSymlinkedConfigStaysALinkAndKeepsItsMode() throws {
        let sandbox = try ConfigSandbox()
        let target = try sandbox.writeFile("dotfiles-config.toml", "# mine\n", mode: 0o640)
        try FileManager.default.createDirectory(atPath: sandbox.root + "/config/caspio", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: sandbox.configPath, withDestinationPath: target)
        var document = try ConfigDocument(path: sandbox.configPath)
        try document.setProfile("new", entry, replace: false)
        try document.save()
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: sandbox.configPath) == target)
        let text = try String(contentsOfFile: target, encoding: .utf8)
        #expect(text.hasPrefix("# mine\n\n[profiles.new]\naccount = \"c1new\"\n"), "\(text)")
        #expect(try FileManager.default.attributesOfItem(atPath: target)[.posixPermissions] as? Int == 0o640)
    }

    @Test func valuesAreEscapedAndReadBackUnchanged() throws {
        let sandbox = try ConfigSandbox()
        var document = try ConfigDocument(path: sandbox.configPath)
        let command = "pass show \"caspio\\prod\"\t# not a comment"
        try document.setProfile("p", ProfileEntry(account: "a", clientID: "i", secret: .command(command)), replace: false)
        try document.save()
        let again = try ConfigDocument(path: sandbox.configPath)
        #expect(again.settings(of: "p")?.first { $0.key == "client_secret_command" }?.value == command)
        #expect(try FileManager.default.attributesOfItem(atPath: sandbox.configPath)[.posixPermissions] as? Int == 0o600)
    }

    @Test func formsItDoesNotEditAreRefusedUntouched() throws {
        let sandbox = try ConfigSandbox()
        let dotted = "profiles.old.account = \"a\"\nprofiles.old.client_id = \"b\"\nprofiles.old.client_secret_env = \"E\"\n"
        try sandbox.writeConfig(dotted)
        var document = try ConfigDocument(path: sandbox.configPath)
        #expect(throws: CaspioError.self) { try document.removeProfile("old") }
        #expect(throws: CaspioError.self) { try document.setProfile("old", entry, replace: true) }
        #expect(document.text == dotted)
        #expect(!ConfigDocument.isValidName("a b") && !ConfigDocument.isValidName("") && ConfigDocument.isValidName("prod-2_b"))
    }
}
