import CaspioClient
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// The password for the store, in libpq's order after the URL's own: a `store_password_*`
/// source of the profile, PGPASSWORD, then the first matching line of PGPASSFILE or
/// ~/.pgpass (ignored, as libpq does, when others may read it). nil: try without one.
enum PasswordLookup {
    static func password(
        for url: StoreURL, setting: StoreSetting, environment: [String: String], warn: (String) -> Void
    ) -> Secret? {
        if let password = url.password ?? setting.password { return password }
        if let value = environment["PGPASSWORD"], !value.isEmpty { return Secret(value) }
        let home = UserDirectories(environment: environment).home
        let path = nonEmpty(environment["PGPASSFILE"]) ?? home + "/.pgpass"
        var info = stat()
        guard stat(path, &info) == 0, let data = FileManager.default.contents(atPath: path) else { return nil }
        guard info.st_mode & 0o077 == 0 else {
            warn("ignoring the password file \(path): others may read it (run: chmod 600 \(path))")
            return nil
        }
        // libpq matches a unix-socket connection against the host name "localhost".
        let host = url.host ?? "localhost"
        for line in String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(url.port), url.database, url.user]
            if zip(fields.prefix(4), wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return Secret(fields[4]) }
        }
        return nil
    }

    /// `a:b\:c:d` → ["a", "b:c", "d"]: a backslash escapes a colon or a backslash.
    static func split(_ line: String) -> [String] {
        var fields = [""]
        var escaped = false
        for character in line {
            if escaped {
                fields[fields.count - 1].append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append("")
            } else {
                fields[fields.count - 1].append(character)
            }
        }
        return fields
    }
}
