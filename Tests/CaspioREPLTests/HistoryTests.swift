import CaspioClient
import CaspioREPL
import Testing

/// The REPL's history keeps no secret: a line that names one, or holds a live token.
@Suite struct HistoryTests {
    @Test func aLineHoldingALiveTokenIsNotRecorded() {
        let redactor = SecretRedactor()
        redactor.register(Secret("eyJhbGciOi.abc123XYZ"))
        #expect(!History.mayRecord(#"t = "eyJhbGciOi.abc123XYZ""#, redactor: redactor))
        #expect(!History.mayRecord("t = 'eyJhbGciOi.abc\\n123XYZ'", redactor: redactor))
        #expect(History.mayRecord("x = 42", redactor: redactor))
        #expect(!History.mayRecord("caspio.token()", redactor: redactor))
    }
}
