import Foundation
import Testing

@testable import CaspioClient

/// ProcessEnvironment reads the environment as ProcessInfo does, odd entries included.
@Suite struct ProcessEnvironmentTests {
    /// Entries as bytes: ordinary ones, and the ones where reading by bytes and reading by
    /// Characters could part (a combining mark after `=`, non-ASCII names, ill-formed UTF-8,
    /// an equal name spelled otherwise, a name set twice).
    static let entries: [[UInt8]] = [
        "A=1", "B==x", "C", "=empty", "E=", "F=a=b", "D=\u{301}joined=after", "É=é", "E\u{301}=decomposed",
        "KELVIN=ascii", "\u{212A}ELVIN=sign", "G=é", "X\u{301}=y", "A=2", "CR\r=\nLF",
    ].map { Array($0.utf8) } + [
        Array("H=".utf8) + [0xFF, 0xFE, 0x41], [0xC3] + Array("=lead".utf8), [0xFF] + Array("I=1".utf8), Array("J=".utf8) + [0xCC],
    ]

    /// What ProcessInfo.environment makes of entries: each decoded as a String, split at its
    /// first Character `=`, the last of equal names kept.
    static func expected(_ entries: [[UInt8]]) -> [String: String] {
        var variables: [String: String] = [:]
        for bytes in entries {
            let text = (bytes + [0]).withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            guard let equals = text.firstIndex(of: "=") else { continue }
            variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
        }
        return variables
    }

    func withEntries<T>(_ entries: [[UInt8]], _ body: (ProcessEnvironment.Entries) -> T) -> T {
        let pointers = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: entries.count + 1)
        defer { pointers.deallocate() }
        for (index, bytes) in entries.enumerated() {
            pointers[index] = (bytes.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { strdup($0.baseAddress!) }
        }
        pointers[entries.count] = nil
        defer { for index in entries.indices { free(pointers[index]) } }
        return body(pointers)
    }

    @Test func theWholeEnvironmentIsReadAsProcessInfoReadsIt() {
        let expected = Self.expected(Self.entries)
        #expect(expected["D"] == nil && expected["KELVIN"] == "sign" && expected["A"] == "2", "the oracle sees the odd cases")
        withEntries(Self.entries) { entries in
            #expect(ProcessEnvironment.all(in: entries) == expected)
        }
        #expect(ProcessEnvironment.all == ProcessInfo.processInfo.environment)
    }

    @Test func oneVariableIsWhatTheWholeHolds() {
        let expected = Self.expected(Self.entries)
        let names = Array(expected.keys) + ["D", "KELVIN", "\u{212A}ELVIN", "É", "E\u{301}", "X", "Z", "", "CR\r"]
        withEntries(Self.entries) { entries in
            for name in names {
                #expect(ProcessEnvironment.value(of: name, in: entries) == expected[name], "\(name.debugDescription)")
            }
        }
        for name in ["PATH", "HOME", "CASPIO_NO_SUCH_VARIABLE"] {
            #expect(ProcessEnvironment.value(of: name) == ProcessInfo.processInfo.environment[name])
        }
    }
}
