import Foundation
import Testing

/// The sandbox's time is the clock it is given (SandboxClock), so that tests run in virtual
/// time: no other file of it reads the wall clock, not even as a default a caller may forget.
@Suite struct WallClockPlaceTests {
    @Test func onlySandboxClockReadsTheWallClock() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/CaspioSandbox").standardized
        let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(files.contains("SandboxClock.swift") && files.contains("Store.swift"), "\(folder.path): \(files)")
        for file in files where file != "SandboxClock.swift" {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for wall in [#"\bDate\(\)"#, #"\bDate\.now\b"#, #"\bDate\(timeIntervalSinceNow"#, #"\bContinuousClock\(\)"#, #"\bSuspendingClock\(\)"#] {
                let found = try NSRegularExpression(pattern: wall).firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
                #expect(found == nil, "\(file) reads the wall clock (\(wall)): take the sandbox's clock (SandboxClock.now)")
            }
        }
    }
}
