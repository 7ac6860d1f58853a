import CaspioTestSupport
import Dispatch
import Foundation
import LuaBridge
import Testing

/// The emulator's test knobs around the sandbox: scripted faults, the masked request log.
@Suite struct EmulatedCaspioTests {
    @Test func aScriptedFaultComesFirstThenTheSandboxAnswers() async throws {
        let caspio = try await EmulatedCaspio.start()
        try caspio.seed("T", count: 3)
        caspio.script([.json(503, ["Code": "ServiceUnavailable", "Message": "scripted"])])
        let lua = try InProcessLua(caspio)
        #expect(await lua.values("return caspio.table('T'):count()") == [3])
        // The 503 and its retry; the token request is not an API request and was not scripted.
        #expect(caspio.resourceRequests.count == 2)
        #expect(caspio.tokenRequests.count == 1)
        #expect(caspio.maxInFlight == 1 && caspio.inFlight == 0)
    }

    @Test func theLogKeepsNoSecret() async throws {
        let caspio = try await EmulatedCaspio.start()
        try caspio.seed("T", count: 1)
        let lua = try InProcessLua(caspio)
        #expect(await lua.values("return caspio.table('T'):count()") == [1])
        let logged = caspio.requests.map { "\($0.headers) \($0.bodyText)" }.joined(separator: "\n")
        #expect(!logged.contains(caspio.clientSecret))
        #expect(caspio.resourceRequests.first?.header("Authorization")?.hasPrefix("Bearer #") == true)
        #expect(caspio.tokenRequests.first?.form["client_secret"]?.hasPrefix("#") == true)
    }

    /// A spawned `caspio` gets its answers while every thread of Swift's pool is blocked (as
    /// tests waiting on child processes block them): the emulator serves on threads of its own.
    @Test func answersWhileSwiftsPoolIsBlocked() async throws {
        let caspio = try await EmulatedCaspio.start()
        try caspio.seed("T", count: 2)
        let width = ProcessInfo.processInfo.activeProcessorCount
        let release = DispatchSemaphore(value: 0)
        let started = DispatchSemaphore(value: 0)
        for _ in 0..<width {
            Task.detached {
                started.signal()
                // The thread below releases every task once the child has run (its own deadline
                // bounds it); this bound is for a test that went wrong another way.
                if release.wait(timeout: .now() + 120) == .timedOut { Issue.record("the blocking task was never released") }
            }
        }
        let result = await withCheckedContinuation { (done: CheckedContinuation<ProcessResult?, Never>) in
            Thread {
                // Bounded: in a parallel run other tests may hold pool threads, and a task that
                // cannot start finds the pool as full as this test means it to be.
                let until = DispatchTime.now() + 10
                for _ in 0..<width where started.wait(timeout: until) == .timedOut { break }
                let result = try? startLua("print(caspio.table('T'):count())", against: caspio).finishOnThisThread()
                for _ in 0..<width { release.signal() }
                done.resume(returning: result)
            }.start()
        }
        #expect(result?.status == 0, "\(result?.stderr ?? "")")
        #expect(result?.stdout == "2\n")
    }
}
