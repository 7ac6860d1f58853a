import ArgumentParser
import CaspioClient
@testable import CaspioCommands
import CaspioSandbox
import CaspioTestSupport
import Foundation
import Testing

/// `caspio mirror --listen`: its command line, who a delivery must come from, and the inbox
/// between the listener and the mirror's thread (in virtual time).
@Suite struct MirrorListenParsingTests {
    @Test func listenNeedsEveryAndAnAddress() throws {
        let missingEvery = try #require(refusal(["mirror", "sqlite:x.db", "--all", "--listen", "127.0.0.1:8080"]))
        #expect(missingEvery.message.contains("--listen needs --every DURATION"), "\(missingEvery.message)")
        #expect(missingEvery.code == .validationFailure)
        for address in ["8080", "127.0.0.1:", "127.0.0.1:70000", ":8080", "a b:1", "[::1]x:80"] {
            let refused = try #require(refusal(["mirror", "sqlite:x.db", "--all", "--every", "1h", "--listen", address]))
            #expect(refused.message.contains("--listen '\(address)' is not an address to listen on: write HOST:PORT"), "\(refused.message)")
        }
        if ProcessInfo.processInfo.environment[WebhookListener.secretVariable] == nil {
            let refused = try #require(refusal(["mirror", "sqlite:x.db", "--all", "--every", "1h", "--listen", "127.0.0.1:0"]))
            #expect(refused.message.contains(WebhookListener.secretVariable), "\(refused.message)")
        }
        #expect(WebhookListener.Address.parse("[::1]:8080") == .init(host: "::1", port: 8080))
        #expect(WebhookListener.Address.parse("0.0.0.0:0") == .init(host: "0.0.0.0", port: 0))
    }

    @Test func aDeliveryMustCarryTheSecretOrItsSignature() {
        let secret = Secret("s3cret")
        let body = Array(#"{"messageId":"m","secret":"s3cret"}"#.utf8)
        let bare = Array(#"{"messageId":"m"}"#.utf8)
        #expect(WebhookListener.refusal(body: body, signature: nil, secret: secret) == nil)
        #expect(WebhookListener.refusal(body: bare, signature: WebhookDelivery.signature(bare, secret: "s3cret"), secret: secret) == nil)
        #expect(WebhookListener.refusal(body: bare, signature: nil, secret: secret)?.status == 401)
        #expect(WebhookListener.refusal(body: bare, signature: WebhookDelivery.signature(bare, secret: "other"), secret: secret)?.status == 403)
        #expect(WebhookListener.refusal(body: Array(#"{"secret":"s3cre"}"#.utf8), signature: nil, secret: secret)?.status == 403)
        // Both present: both must hold.
        #expect(WebhookListener.refusal(body: body, signature: WebhookDelivery.signature(body, secret: "other"), secret: secret)?.status == 403)
        #expect(WebhookListener.constantTimeEqual("abc", "abc") && !WebhookListener.constantTimeEqual("abc", "abcd"))
    }

    @Test func theInboxKeepsAMessageOnceAndEndsWithThePause() async throws {
        let clock = TestClock()
        let inbox = WebhookInbox(clock: clock)
        inbox.pause(3600)
        #expect(inbox.admit(messageId: "m1", body: "one") == .queued)
        #expect(inbox.admit(messageId: "m1", body: "one") == .repeated)
        #expect(inbox.next() == ["one"])
        let deadline = Date().addingTimeInterval(10)
        while clock.sleeping == 0, Date() < deadline { try await Task.sleep(nanoseconds: 1_000_000) }
        let ended = DispatchSemaphore(value: 0)
        let result = ResultBox()
        Thread.detachNewThread {
            result.value = inbox.next()
            ended.signal()
        }
        clock.advance(by: .seconds(3600))
        #expect(ended.wait(timeout: .now() + 10) == .success)
        #expect(result.value == nil)
    }
}

private final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String]? = ["unset"]
    var value: [String]? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
