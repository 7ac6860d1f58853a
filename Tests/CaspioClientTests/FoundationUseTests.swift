import Foundation
import Testing

/// Full Foundation (ICU data, the CoreFoundation-based APIs) is needed only by the files listed
/// here; every other file imports FoundationEssentials where it exists, so that the day our
/// dependencies stop importing Foundation, the binary can drop it by changing these files alone.
@Suite struct FoundationUseTests {
    /// Each file of Sources/ that imports full Foundation unconditionally, with what it uses that
    /// only full Foundation has. A file that stops needing it leaves the list and takes
    /// `#if canImport(FoundationEssentials) import FoundationEssentials #else import Foundation #endif`.
    static let fullFoundation: [String: String] = [
        "CaspioClient/AccountFacts.swift": "String(format:), JSONSerialization, NSNumber",
        "CaspioClient/CaspioClient.swift": "caseInsensitiveCompare",
        "CaspioClient/Configuration/ConfigDocument.swift": "NSString paths, CharacterSet, trimmingCharacters, range(of:options:)",
        "CaspioClient/Configuration/ConfigurationResolver.swift": "CharacterSet, trimmingCharacters",
        "CaspioClient/Configuration/ProfileEntry.swift": "String(format:)",
        "CaspioClient/Configuration/Settings.swift": "trimmingCharacters",
        "CaspioClient/Logging.swift": "ISO8601DateFormatter, FileHandle, JSONSerialization, range(of:options:)",
        "CaspioClient/PrivateFiles.swift": "NSString paths, ObjCBool, localizedDescription",
        "CaspioClient/Redaction.swift": "String(format:), replacingOccurrences",
        "CaspioClient/Store/StoreSetting.swift": "range(of:options:)",
        "CaspioClient/Tokens/LockNote.swift": "trimmingCharacters",
        "CaspioClient/Tokens/TokenEndpoint.swift": "JSONSerialization, replacingOccurrences",
        "CaspioClient/Tokens/TokenSet.swift": "JSONSerialization, NSNumber, replacingOccurrences",
        "CaspioClient/Transport/FileDownload.swift": "FileHandle",
        "CaspioClient/Transport/ForbiddenObject.swift": "removingPercentEncoding",
        "CaspioClient/Transport/HTTPTransport.swift": "String(format:), DateFormatter, trimmingCharacters, replacingOccurrences",
        "CaspioClient/Transport/Messages.swift": "JSONSerialization, caseInsensitiveCompare",
        "CaspioClient/Transport/RequestTarget.swift": "removingPercentEncoding",
        "CaspioClient/Usage/BillingTimeZone.swift": "TimeZone.knownTimeZoneIdentifiers (ICU), String(format:), trimmingCharacters",
        "CaspioClient/Usage/UsageCalendar.swift": "String(format:)",
        "CaspioClient/Usage/UsageLedger.swift": "JSONSerialization",
        "CaspioCommands/AuthCommand.swift": "FileHandle, ISO8601DateFormatter",
        "CaspioCommands/CommandSession.swift": "NSLock",
        "CaspioCommands/CommandStop.swift": "NSLock, String(format:)",
        "CaspioCommands/DoctorChecks.swift": "DateFormatter, NSString paths, ObjCBool, CharacterSet",
        "CaspioCommands/DoctorCommand.swift": "FileHandle, padding(toLength:), replacingOccurrences",
        "CaspioCommands/DryRun.swift": "trimmingCharacters",
        "CaspioCommands/ProfileCommand.swift": "padding(toLength:)",
        "CaspioCommands/QuietOutput.swift": "NSTemporaryDirectory",
        "CaspioCommands/RequestCommand.swift": "FileHandle, JSONSerialization, localizedDescription",
        "CaspioCommands/RunCommand.swift": "NSString paths",
        "CaspioCommands/RunLock.swift": "NSString paths",
        "CaspioCommands/RunSummary.swift": "ISO8601DateFormatter, JSONSerialization, NSNull, String(format:)",
        "CaspioCommands/SandboxCommand.swift": "Thread, FileHandle",
        "CaspioCommands/ScriptRunner.swift": "ISO8601DateFormatter, JSONSerialization",
        "CaspioCommands/TerminalInput.swift": "FileHandle, trimmingCharacters",
        "CaspioCommands/UnattendedOptions.swift": "NSString paths",
        "CaspioCommands/UsageCommand.swift": "FileHandle, JSONSerialization",
        "CaspioCommands/Watchdog.swift": "Thread",
        "CaspioCommands/WebhookInbox.swift": "NSCondition",
        "CaspioCommands/WebhookListener.swift": "JSONSerialization",
        "CaspioModule/LuaConversions.swift": "NSString paths, ObjCBool",
        "CaspioModule/NativeFunctions.swift": "FileHandle",
        "CaspioModule/RequestBroker.swift": "NSCondition",
        "CaspioModule/StateFile.swift": "NSString paths",
        "CaspioREPL/Commands.swift": "trimmingCharacters",
        "CaspioREPL/History.swift": "NSString paths",
        "CaspioREPL/REPL.swift": "FileHandle, String(format:)",
        "CaspioSandbox/AttachmentRoutes.swift": "replacingOccurrences",
        "CaspioSandbox/Attachments.swift": "caseInsensitiveCompare",
        "CaspioSandbox/DemoSeed.swift": "String(format:)",
        "CaspioSandbox/FieldType.swift": "DateFormatter",
        "CaspioSandbox/HTTPTypes.swift": "removingPercentEncoding, replacingOccurrences",
        "CaspioSandbox/JSON.swift": "JSONSerialization, NSNumber, String(format:)",
        "CaspioSandbox/Records.swift": "caseInsensitiveCompare, trimmingCharacters",
        "CaspioSandbox/Seed.swift": "replacingOccurrences",
        "CaspioSandbox/Server.swift": "removingPercentEncoding",
        "CaspioSandbox/Store.swift": "caseInsensitiveCompare, replacingOccurrences",
        "CaspioSandbox/TableRoutes.swift": "caseInsensitiveCompare",
        "CaspioSandbox/TaskRoutes.swift": "caseInsensitiveCompare, replacingOccurrences",
        "CaspioSandbox/Tokens.swift": "trimmingCharacters",
        "CaspioSandbox/V4/TautologyGuard.swift": "caseInsensitiveCompare, replacingOccurrences",
        "CaspioSandbox/V4/V4AttachmentRoutes.swift": "caseInsensitiveCompare",
        "CaspioSandbox/V4/V4Design.swift": "caseInsensitiveCompare",
        "CaspioSandbox/V4/V4DirectoryRoutes.swift": "caseInsensitiveCompare",
        "CaspioSandbox/V4/V4Errors.swift": "caseInsensitiveCompare",
        "CaspioSandbox/V4/V4FileRoutes.swift": "replacingOccurrences",
        "CaspioSandbox/V4/V4RecordRoutes.swift": "replacingOccurrences",
        "CaspioSandbox/V4/V4RootRoutes.swift": "ISO8601DateFormatter",
        "CaspioSandbox/V4/V4Support.swift": "caseInsensitiveCompare",
        "CaspioSandbox/V4/V4TableRoutes.swift": "caseInsensitiveCompare",
        "CaspioSandbox/V4/V4ViewRoutes.swift": "caseInsensitiveCompare",
        "CaspioSandbox/V4/V4WebhookRoutes.swift": "replacingOccurrences",
        "CaspioSandbox/ViewRoutes.swift": "caseInsensitiveCompare",
        "CaspioSandbox/Views.swift": "caseInsensitiveCompare, replacingOccurrences",
        "CaspioSandbox/WebhookDelivery.swift": "caseInsensitiveCompare, String(format:)",
        "CaspioSandbox/WebhookRoutes.swift": "caseInsensitiveCompare, replacingOccurrences",
        "CaspioStore/StoreURL.swift": "CharacterSet, NSUserName",
        "LuaCSV/Streams.swift": "InputStream/OutputStream subclasses, which CSV.swift reads and writes",
        "PostgresTarget/PostgresCopy.swift": "String(format:)",
        "PostgresTarget/PostgresTarget.swift": "NSDecimalNumber, String(format:)",
    ]

    /// Test helpers, never linked into `caspio`.
    static let notInTheProduct: Set<String> = ["CaspioTestSupport"]

    static let fullModules: Set<String> = ["Foundation", "FoundationInternationalization", "FoundationNetworking", "FoundationXML"]

    /// Whether `source` imports full Foundation other than as the fallback of
    /// `#if canImport(FoundationEssentials)`.
    static func importsFullFoundation(_ source: String) -> Bool {
        // One entry per open #if: whether it tests for FoundationEssentials, and whether its
        // #else has been reached.
        var conditions: [(essentials: Bool, inElse: Bool)] = []
        for raw in source.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#if") {
                conditions.append((line.contains("canImport(FoundationEssentials)"), false))
            } else if line.hasPrefix("#else") || line.hasPrefix("#elseif"), !conditions.isEmpty {
                conditions[conditions.count - 1].inElse = true
            } else if line.hasPrefix("#endif"), !conditions.isEmpty {
                conditions.removeLast()
            } else {
                var words = line.split(separator: " ").map(String.init).drop { $0.hasPrefix("@") }
                guard words.first == "import" else { continue }
                words = words.dropFirst()
                if let kind = words.first, ["struct", "class", "enum", "protocol", "typealias", "func", "var", "let"].contains(kind) {
                    words = words.dropFirst()
                }
                guard let module = words.first?.split(separator: ".").first.map(String.init),
                      fullModules.contains(module) else { continue }
                if !conditions.contains(where: { $0.essentials && $0.inElse }) { return true }
            }
        }
        return false
    }

    /// Paths under Sources/ of the product's files that import full Foundation unconditionally.
    static func filesImportingFullFoundation() throws -> Set<String> {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources").standardized
        let paths = try FileManager.default.subpathsOfDirectory(atPath: sources.path)
        #expect(paths.contains("CaspioClient/CaspioClient.swift"))
        var found: Set<String> = []
        for path in paths where path.hasSuffix(".swift") {
            guard let target = path.split(separator: "/").first, !notInTheProduct.contains(String(target)) else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            if importsFullFoundation(text) { found.insert(path) }
        }
        return found
    }

    @Test func onlyTheListedFilesImportFullFoundation() throws {
        let found = try Self.filesImportingFullFoundation()
        for file in found.subtracting(Self.fullFoundation.keys).sorted() {
            Issue.record("""
                Sources/\(file) imports full Foundation: import FoundationEssentials under \
                #if canImport(FoundationEssentials), or, if it uses what only Foundation has, \
                add it to FoundationUseTests.fullFoundation with what that is
                """)
        }
        for file in Set(Self.fullFoundation.keys).subtracting(found).sorted() {
            Issue.record("Sources/\(file) no longer imports full Foundation: take it out of FoundationUseTests.fullFoundation")
        }
    }

    @Test func theScanTellsTheFallbackFromAnImport() {
        let pattern = """
            import CaspioClient
            #if canImport(FoundationEssentials)
            import FoundationEssentials
            #else
            import Foundation
            #endif
            """
        #expect(!Self.importsFullFoundation(pattern))
        #expect(Self.importsFullFoundation("import CaspioClient\nimport Foundation\n"))
        #expect(Self.importsFullFoundation("@preconcurrency import Foundation"))
        #expect(Self.importsFullFoundation("import struct Foundation.Date"))
        #expect(Self.importsFullFoundation("#if os(Linux)\nimport Glibc\n#else\nimport Foundation\n#endif"))
        #expect(Self.importsFullFoundation(pattern + "\nimport FoundationNetworking"))
        #expect(!Self.importsFullFoundation("import FoundationEssentials\nimport NIOFoundationCompat"))
    }
}
