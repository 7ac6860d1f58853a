import Foundation
import Testing

@testable import CaspioClient

/// `api_version` beside `account` (profile key, CASPIO_API_VERSION): the account's base URL in
/// that REST API version; a base URL names its own, and an api_version that disagrees is an error.
@Suite struct APIVersionSettingTests {
    static let profile = """
        [profiles.p]
        account = "c1abc123"
        client_id = "i"
        client_secret = "s"

        """

    @Test func anAccountWithAPIVersion4IsV4() throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(Self.profile + "api_version = 4\n")
        let configuration = try sandbox.resolve(["CASPIO_PROFILE": "p"])
        #expect(configuration.baseURL.absoluteString == "https://c1abc123.caspio.com/integrations/rest/v4")
        #expect(configuration.tokenURL.absoluteString == "https://c1abc123.caspio.com/oauth/token")
        #expect(configuration.apiVersion == 4)
        #expect(configuration.value(.apiVersion) == .integer(4))

        let fromEnvironment = try sandbox.resolve(minimalEnvironment.merging(["CASPIO_API_VERSION": "4"]) { $1 })
        #expect(fromEnvironment.baseURL.absoluteString == "https://c1abc123.caspio.com/integrations/rest/v4")
        // Unset: v3, as before.
        #expect(try sandbox.resolve(minimalEnvironment).baseURL.absoluteString == "https://c1abc123.caspio.com/integrations/rest/v3")
    }

    @Test func aBaseURLThatDisagreesIsAnError() throws {
        let sandbox = try ConfigSandbox()
        let error = sandbox.error([
            "CASPIO_BASE_URL": "https://c1abc123.caspio.com/integrations/rest/v3", "CASPIO_API_VERSION": "4",
            "CASPIO_CLIENT_ID": "i", "CASPIO_CLIENT_SECRET": "s",
        ])
        #expect(error?.message.contains("is REST API v3, but CASPIO_API_VERSION in the environment says 4") == true, "\(error?.message ?? "")")
        // One that agrees is fine.
        let agreeing = try sandbox.resolve([
            "CASPIO_BASE_URL": "https://c1abc123.caspio.com/integrations/rest/v4", "CASPIO_API_VERSION": "4",
            "CASPIO_CLIENT_ID": "i", "CASPIO_CLIENT_SECRET": "s",
        ])
        #expect(agreeing.apiVersion == 4)
    }

    @Test(arguments: ["api_version = 5", "api_version = 1", #"api_version = "4""#, "api_version = 4.0"])
    func aVersionCaspioDoesNotServeIsAnErrorNamingTheSetting(line: String) throws {
        let sandbox = try ConfigSandbox()
        try sandbox.writeConfig(Self.profile + line + "\n")
        let error = sandbox.error(["CASPIO_PROFILE": "p"])
        #expect(error?.message.contains("api_version") == true, "\(error?.message ?? "")")
        #expect(error?.message.contains("3 or 4") == true, "\(error?.message ?? "")")
    }

    /// What `caspio profile add --account ID --api 4` writes reads back as v4.
    @Test func aProfileEntryWithAnAPIVersionReadsBackAsThatVersion() throws {
        let sandbox = try ConfigSandbox()
        var document = try ConfigDocument(path: sandbox.configPath)
        try document.setProfile("four", ProfileEntry(account: "c1new", apiVersion: 4, clientID: "id", secret: .environment("NEW_SECRET")), replace: false)
        #expect(document.text.contains("[profiles.four]\naccount = \"c1new\"\napi_version = 4\nclient_id = \"id\"\n"), "\(document.text)")
        let configuration = try ConfigurationResolver(environment: sandbox.environment.merging(["NEW_SECRET": "s"]) { $1 }).resolve(profile: "four", configText: document.text)
        #expect(configuration.baseURL.absoluteString == "https://c1new.caspio.com/integrations/rest/v4")
    }
}
