import CaspioTestSupport
import Foundation
import Testing

@testable import CaspioClient

/// Secrets blanked out in every form they travel in: raw, percent- and form-encoded, base64
/// of `id:secret`, JSON-escaped, split across a line break; tokens with control characters.
@Suite struct RedactionTests {
    static let secret = "Sup3r/Secret+k ey\"q9"

    @Test func everyFormOfASecretIsRedacted() {
        let redactor = SecretRedactor()
        redactor.register(clientID: "the-id", secret: Secret(Self.secret))
        let basic = Data("the-id:\(Self.secret)".utf8).base64EncodedString()
        let forms = [
            Self.secret, "Sup3r%2FSecret%2Bk%20ey%22q9", "Sup3r%2fSecret%2bk%20ey%22q9", "Sup3r%2FSecret%2Bk+ey%22q9",
            #"Sup3r\/Secret+k ey\"q9"#, #"Sup3r/Secret+k ey\"q9"#, basic, "Sup3r/Sec\nret+k ey\"q9",
            "Sup3r/Sec\r\n  ret+k ey\"q9", #"Sup3r\/Secr\net+k ey\"q9"#, String(basic.prefix(10)) + "\n" + basic.dropFirst(10),
        ]
        for form in forms {
            let shown = redactor.redact("before \(form) after")
            #expect(shown == "before <redacted> after", "\(form.debugDescription) -> \(shown.debugDescription)")
        }
        #expect(redactor.redact("Sup3r and Secret") == "Sup3r and Secret")
    }

    /// A token with a CR/LF in it is blanked out of a JSON log line, where it shows escaped.
    @Test func aTokenWithControlCharactersIsRedactedOnceEscaped() throws {
        let redactor = SecretRedactor()
        let token = "tok\r\nen\u{01}-abc123"
        redactor.register(Secret(token))
        let data = try JSONSerialization.data(withJSONObject: ["message": "sent \(token) along"])
        let line = String(decoding: data, as: UTF8.self)
        #expect(line.contains(#"tok\r\nen"#), "the token shows escaped: \(line)")
        #expect(redactor.redact(line) == #"{"message":"sent <redacted> along"}"#, "\(redactor.redact(line))")
    }

    /// A token endpoint that echoes the request in its error body: the error quotes neither
    /// the form body's percent-encoded secret nor the Basic header's base64.
    @Test(arguments: [ClientConfiguration.AuthStyle.body, .basic])
    func anEchoingTokenEndpointLeaksNoForm(style: ClientConfiguration.AuthStyle) async throws {
        let faulty = try FaultyServer { _ in .echo(status: 400) }
        defer { faulty.shutdown() }
        let configuration = ClientConfiguration(
            baseURL: URL(string: faulty.origin + "/rest/v3")!, tokenURL: URL(string: faulty.origin + "/oauth/token")!,
            clientID: "echo-id", clientSecret: Secret(Self.secret), authStyle: style, connectTimeout: 2, readTimeout: 5,
            retry: .none)
        let logs = CapturedLogs()
        let client = try CaspioClient(configuration: configuration, logger: logs.logger())
        let error = await #expect(throws: CaspioError.self) { try await client.tokens.authenticate() }
        await client.shutdown()
        let shown = error?.description ?? ""
        #expect(shown.contains("<redacted>"), "the echo is quoted, redacted: \(shown)")
        let basic = Data("echo-id:\(Self.secret)".utf8).base64EncodedString()
        for leak in ["Secret", "Sup3r%2F", String(basic.prefix(12))] {
            #expect(!shown.contains(leak), "\(leak) in \(shown)")
            #expect(!logs.text.contains(leak), "\(leak) in the log")
        }
    }
}
