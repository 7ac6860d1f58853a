import ArgumentParser
import CaspioClient
import Foundation

/// `caspio profile`: the accounts of the config file, added, listed, shown and removed without
/// editing TOML by hand (and without losing the comments of a file edited by hand).
struct ProfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Set up and manage the accounts (profiles) of the config file.",
        discussion: """
            The config file is $CASPIO_CONFIG, else $XDG_CONFIG_HOME/caspio/config.toml (~/.config/caspio/config.toml). Edits keep its comments and other profiles and replace it atomically.
            """,
        subcommands: [
            ProfileAddCommand.self, ProfileListCommand.self, ProfileShowCommand.self, ProfileRemoveCommand.self,
            ProfileDefaultCommand.self,
        ]
    )

    /// The config file, parsed; a configuration error ends the command with status 2.
    static func document() throws -> ConfigDocument {
        try reportingErrors { try ConfigDocument(path: ConfigurationResolver().configFilePath) }
    }

    /// The config file with `edit` applied, saved atomically.
    static func editing(_ edit: (inout ConfigDocument) throws -> Void) throws -> ConfigDocument {
        var document = try document()
        try reportingErrors {
            try edit(&document)
            try document.save()
        }
        return document
    }
}

/// Runs `body`; a `CaspioError` is printed (redacted) and becomes its exit status.
func reportingErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as CaspioError {
        printError(error.description)
        throw ExitCode(error.exitStatus.rawValue)
    }
}

struct ProfileListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the profiles: name and account, the default marked with *.")

    func run() throws {
        let document = try ProfileCommand.document()
        guard !document.profileNames.isEmpty else {
            print("No profiles in \(document.path). Add one with: caspio profile add NAME")
            return
        }
        let width = document.profileNames.map(\.count).max() ?? 0
        for name in document.profileNames {
            let settings = Dictionary(document.settings(of: name) ?? [], uniquingKeysWith: { first, _ in first })
            let endpoint = settings["account"] ?? settings["base_url"] ?? "(no account)"
            let mark = name == document.defaultProfile ? "*" : " "
            print("\(mark) \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(endpoint)")
        }
    }
}

struct ProfileShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a profile's settings (never its secret).")

    @Argument(help: "The profile (default: --profile, CASPIO_PROFILE, or the default profile).")
    var name: String?

    @Option(help: "The profile, as for other commands.")
    var profile: String?

    func run() throws {
        let document = try ProfileCommand.document()
        let environment = ProcessInfo.processInfo.environment["CASPIO_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        guard let name = name ?? profile ?? environment ?? document.defaultProfile else {
            throw ValidationError("name the profile: caspio profile show NAME (there is no default profile)")
        }
        guard let settings = document.settings(of: name) else {
            let known = document.profileNames.isEmpty ? "none" : document.profileNames.joined(separator: ", ")
            printError("there is no profile '\(name)' in \(document.path) (profiles there: \(known))")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let rows = [("profile", name + (name == document.defaultProfile ? " (default)" : "")), ("config file", document.path)]
            + settings.map { ($0.key, $0.value) }
        let width = rows.map(\.0.count).max()! + 1
        for (key, value) in rows { print("\((key + ":").padding(toLength: width, withPad: " ", startingAt: 0)) \(value)") }
    }
}

struct ProfileRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove", abstract: "Remove a profile, and the secret file `profile add` made for it.")

    @Argument(help: "The profile.")
    var name: String

    func run() throws {
        let before = try ProfileCommand.document()
        let settings = Dictionary(before.settings(of: name) ?? [], uniquingKeysWith: { first, _ in first })
        let document = try ProfileCommand.editing { try $0.removeProfile(name) }
        print("Removed profile '\(name)' from \(document.path).")
        // Only the file `profile add` wrote: a secret file the user named stays theirs.
        let ownSecret = document.secretFilePath(for: name)
        if settings["client_secret_file"] == ownSecret, unlink(ownSecret) == 0 { print("Deleted its secret file \(ownSecret).") }
        if before.defaultProfile == name { print("It was the default profile; choose another with: caspio profile default NAME") }
    }
}

struct ProfileDefaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "default", abstract: "Make a profile the default (used without --profile or CASPIO_PROFILE).")

    @Argument(help: "The profile.")
    var name: String

    func run() throws {
        let document = try ProfileCommand.editing { try $0.setDefault(name) }
        print("The default profile is now '\(name)' (\(document.path)).")
    }
}
