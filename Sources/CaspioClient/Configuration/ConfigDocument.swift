import Foundation
import TOMLKit

/// The config file as text, edited in place: a profile's table is added, replaced or removed
/// as lines, so the user's comments, layout and other profiles stay as written (TOMLKit would
/// drop comments on a round trip). Every edit is checked by parsing the result: if the other
/// profiles or the default came out different, the file is in a form this editor does not
/// handle (inline tables, dotted keys), and the edit is refused instead of guessed.
public struct ConfigDocument {
    /// The file written: the config path, through symlinks (a dotfiles link stays a link).
    public let path: String
    public let exists: Bool
    public private(set) var text: String
    private var root: TOMLTable

    public init(path: String) throws(CaspioError) {
        exists = FileManager.default.fileExists(atPath: path)
        self.path = exists ? URL(fileURLWithPath: path).resolvingSymlinksInPath().path : path
        if exists {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CaspioError(.config, "cannot read the config file \(path) (check its permissions)")
            }
            text = String(decoding: data, as: UTF8.self)
        } else {
            text = ""
        }
        _ = try ConfigFile.parse(text, path: path)  // refuse to edit a file that runs would refuse
        root = try ConfigFile.table(text, path: path)
    }

    /// Profile names: letters, digits, `_` and `-` (a bare TOML key, and a safe file name).
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-") }
    }

    public var profileNames: [String] { profilesTable.map { $0.keys.sorted() } ?? [] }
    public var defaultProfile: String? { root["default_profile"]?.string }

    /// A profile's settings as written, in a fixed order; an inline secret shows as hidden.
    public func settings(of name: String) -> [(key: String, value: String)]? {
        guard let table = profilesTable?[name]?.table else { return nil }
        let first = [Setting.account, Setting.baseURL, Setting.tokenURL, Setting.clientID, Setting.clientSecret].flatMap(\.profileKeys)
        return (first + ConfigFile.knownKeys.subtracting(first).sorted()).compactMap { key in
            guard let value = table[key] else { return nil }
            if key == "client_secret" { return (key, "(inline in the config file, hidden)") }
            if key == "store", let url = value.string { return (key, StoreSetting.redacted(url)) }
            let text = value.string ?? value.int.map { String($0) } ?? value.double.map { String($0) } ?? "\(value)"
            return (key, text)
        }
    }

    /// `client_secret_file` of a profile added by `caspio profile add`: beside the config file.
    public func secretFilePath(for name: String) -> String {
        (path as NSString).deletingLastPathComponent + "/\(name).secret"
    }

    /// Adds the profile, or replaces its table when `replace` (else an existing one is an error).
    public mutating func setProfile(_ name: String, _ entry: ProfileEntry, replace: Bool) throws(CaspioError) {
        var lines = self.lines
        let section = entry.lines(name: name)
        if let range = try sectionRange(name, in: lines) {
            guard replace else {
                throw CaspioError(.config, "there is already a profile '\(name)' in \(path) (--replace replaces it)")
            }
            lines.replaceSubrange(range, with: section)
        } else {
            while lines.last == "" { lines.removeLast() }
            if !lines.isEmpty { lines.append("") }
            lines += section + [""]
        }
        let expected = try ConfigFile.table(section.joined(separator: "\n"), path: path)["profiles"]?.table?[name]?.table
        try commit(lines, changing: name) { $0?.table == expected }
    }

    /// Removes the profile's table (and `default_profile` when it named this profile).
    public mutating func removeProfile(_ name: String) throws(CaspioError) {
        guard try sectionRange(name, in: lines) != nil else {
            throw CaspioError(.config, "there is no profile '\(name)' in \(path) (profiles there: \(namesText))")
        }
        if defaultProfile == name { try setDefault(nil) }
        var lines = self.lines
        let range = try sectionRange(name, in: lines)!
        lines.removeSubrange(range)
        // Do not leave two blank lines where the table was, nor one at the top.
        let at = range.lowerBound
        if at < lines.count, lines[at].isBlank, at == 0 || lines[at - 1].isBlank {
            lines.remove(at: at)
        }
        try commit(lines, changing: name) { $0 == nil }
    }

    /// Sets (or, with nil, removes) `default_profile`, keeping a comment on its line.
    public mutating func setDefault(_ name: String?) throws(CaspioError) {
        if let name, profilesTable?[name] == nil {
            throw CaspioError(.config, "there is no profile '\(name)' in \(path) (profiles there: \(namesText))")
        }
        var lines = self.lines
        let firstHeader = lines.firstIndex { Self.headerPath($0) != nil } ?? lines.count
        let existing = lines[..<firstHeader].firstIndex { $0.range(of: #"^\s*default_profile\s*="#, options: .regularExpression) != nil }
        switch (name, existing) {
        case (nil, nil): return
        case (nil, let index?): lines.remove(at: index)
        case (let name?, let index?):
            let comment = lines[index].range(of: #"#[^"']*$"#, options: .regularExpression).map { "  " + lines[index][$0] } ?? ""
            lines[index] = "default_profile = \(tomlString(name))" + comment
        case (let name?, nil):
            // Above the first table and the comment block that introduces it.
            var index = firstHeader
            while index > 0, lines[index - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#") { index -= 1 }
            let blankAfter = index < lines.count && !lines[index].isBlank
            lines.insert(contentsOf: ["default_profile = \(tomlString(name))"] + (blankAfter ? [""] : []), at: index)
        }
        try commit(lines, changing: nil, newDefault: name)
    }

    /// Replaces the file atomically. A new file is private; an existing one keeps its mode,
    /// tightened to the owner's when a profile holds an inline secret. The directory is made (or
    /// tightened to) 0700: secret files live in it.
    public func save() throws(CaspioError) {
        var mode: mode_t = 0o600
        var info = stat()
        if exists, stat(path, &info) == 0 { mode = info.st_mode & 0o777 }
        let inlineSecret = profileNames.contains { profilesTable?[$0]?.table?["client_secret"] != nil }
        if inlineSecret { mode &= 0o700 }
        try write(Data(text.utf8), to: path, what: "config file", mode: mode)
    }

    /// Writes `NAME.secret` beside the config file (0600) and returns its path.
    public func storeSecret(_ secret: Secret, for name: String) throws(CaspioError) -> String {
        let secretPath = secretFilePath(for: name)
        try write(Data((secret.reveal() + "\n").utf8), to: secretPath, what: "secret file", mode: 0o600)
        return secretPath
    }

    private func write(_ data: Data, to file: String, what: String, mode: mode_t) throws(CaspioError) {
        do throws(PrivateFiles.Failure) {
            try PrivateFiles.ensureDirectory((path as NSString).deletingLastPathComponent, what: "config")
            try PrivateFiles.writeAtomically(data, to: file, what: what, mode: mode)
        } catch {
            throw CaspioError(.config, error.message)
        }
    }

    // MARK: Lines

    private var lines: [String] { text.isEmpty ? [] : text.components(separatedBy: "\n") }
    private var profilesTable: TOMLTable? { root["profiles"]?.table }
    private var namesText: String { profileNames.isEmpty ? "none" : profileNames.joined(separator: ", ") }

    /// Accepts `lines` as the new text if, parsed, the profile `changing` passes `check`, every
    /// other profile is as before, and the default is `newDefault` (unchanged when not given).
    private mutating func commit(
        _ lines: [String], changing name: String?, newDefault: String?? = .none,
        check: (TOMLValueConvertible?) -> Bool = { _ in true }
    ) throws(CaspioError) {
        let newText = lines.joined(separator: "\n")
        let newRoot = try ConfigFile.table(newText, path: path)
        _ = try ConfigFile.parse(newText, path: path)
        let before = profilesTable, after = newRoot["profiles"]?.table
        let others = Set((before?.keys ?? []) + (after?.keys ?? [])).subtracting([name].compactMap { $0 })
        let othersKept = others.allSatisfy { before?[$0]?.table == after?[$0]?.table }
        let defaultKept = newRoot["default_profile"]?.string == (newDefault ?? defaultProfile)
        guard othersKept, defaultKept, check(name.flatMap { after?[$0] }) else {
            throw CaspioError(
                .config,
                "cannot edit \(path) safely: its profiles are not all written as [profiles.NAME] tables; edit it by hand")
        }
        text = newText
        root = newRoot
    }

    /// The lines of `[profiles.NAME]`: its header to its last setting (comments that follow
    /// belong to whatever comes next). nil when the profile has no such table.
    private func sectionRange(_ name: String, in lines: [String]) throws(CaspioError) -> Range<Int>? {
        guard let header = lines.firstIndex(where: { Self.headerPath($0) == ["profiles", name] }) else {
            if profilesTable?[name] != nil {
                throw CaspioError(.config, "profile '\(name)' in \(path) is not a [profiles.\(name)] table; edit it by hand")
            }
            return nil
        }
        let next = lines[(header + 1)...].firstIndex { Self.headerPath($0) != nil } ?? lines.count
        var end = next
        while end > header + 1, lines[end - 1].isBlank || lines[end - 1].trimmingCharacters(in: .whitespaces).hasPrefix("#") {
            end -= 1
        }
        return header..<end
    }

    /// `[a."b c".d]` → ["a", "b c", "d"]; nil for a line that is not a table header.
    static func headerPath(_ line: String) -> [String]? {
        var rest = Substring(line.trimmingCharacters(in: .whitespaces))
        guard rest.hasPrefix("[") else { return nil }
        rest = rest.drop { $0 == "[" }
        var parts: [String] = [], current = "", quote: Character?
        for character in rest {
            if let open = quote {
                if character == open { quote = nil } else { current.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "." || character == "]" {
                parts.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
                if character == "]" { return parts }
            } else {
                current.append(character)
            }
        }
        return nil
    }
}

extension String {
    fileprivate var isBlank: Bool { trimmingCharacters(in: .whitespaces).isEmpty }
}
