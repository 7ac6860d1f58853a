#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#endif

/// Tokens persisted between runs and shared by processes: one file per (token URL, client id),
/// mode 0600 in a 0700 directory, replaced atomically, guarded by an advisory lock that spans
/// read → renew → write so that concurrent processes make a single grant.
public struct TokenCache: Sendable {
    public let directory: String
    public let tokenURL: String
    public let clientID: String
    let warn: @Sendable (String) -> Void

    public init(directory: String, tokenURL: String, clientID: String, warn: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.warn = warn
    }

    /// `HOST-CLIENTID-HASH.json`: readable, and never derived from the secret.
    public var filePath: String {
        let host = URL(string: tokenURL)?.host ?? "token"
        let key = fnv1a64(tokenURL + "\n" + clientID)
        return directory + "/" + sanitise(host) + "-" + sanitise(String(clientID.prefix(32))) + "-"
            + String(key, radix: 16) + ".json"
    }

    var lockPath: String { filePath.dropLast(5) + ".lock" }

    /// The longest wait for another process's renewal: a token request's own bound and a
    /// margin. Past it this process renews on its own rather than queue behind a hung one.
    static let lockWait: Double = TokenEndpoint.timeout + 5

    /// Runs `body` holding the cache's exclusive lock (waiting for other processes, at most
    /// `lockWait`, and not once the task is cancelled: a stopped run stops waiting).
    public func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try ensureDirectory()
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        if fd < 0, [EACCES, EPERM, EROFS].contains(errno), access(directory, W_OK) != 0 {
            // A directory this process may read but not write (a read-only mount, another
            // user's cache shared read-only): nothing to lock and nothing to write, but a
            // valid cached token still serves; a renewed one is used uncached.
            return try await body()
        }
        guard fd >= 0 else { throw cacheError("cannot open the lock file \(lockPath): \(errnoText())") }
        defer { close(fd) }  // closing releases the lock, also if the process dies
        let deadline = ContinuousClock.now + .milliseconds(Int64(Self.lockWait * 1000))
        let waitStarted = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        var waited = false
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw cacheError("cannot lock \(lockPath): \(errnoText())") }
            waited = true
            try Task.checkCancellation()
            guard ContinuousClock.now < deadline else {
                warn("another process has held the token cache lock \(lockPath) for \(Int(Self.lockWait))s; renewing without it")
                return try await body()
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        // The process this one queued behind found no endpoint: the same request would wait
        // out the same hung endpoint again, one process after another.
        if waited, let since = LockNote.unreachableSince(fd), since >= waitStarted {
            throw CaspioError(
                .timeout,
                "the token endpoint \(tokenURL) did not answer another caspio process that asked for a token while this one waited; not asking again (try later)")
        }
        do {
            let value = try await body()
            LockNote.write(fd, unreachableAt: nil)
            return value
        } catch {
            LockNote.write(fd, unreachableAt: LockNote.notes(error) ? Date() : nil)
            throw error
        }
    }

    /// The cached token, or nil. A file that is corrupt or belongs to another endpoint or
    /// client is ignored with a warning (it will be rewritten).
    public func read() -> TokenSet? {
        guard let data = PrivateFiles.read(filePath) else { return nil }
        guard let stored = try? JSONDecoder().decode(StoredToken.self, from: data), stored.version == 1, let token = stored.token else {
            warn("ignoring the token cache file \(filePath): it is not a caspio token cache (it will be rewritten)")
            return nil
        }
        guard stored.token_url == tokenURL, stored.client_id == clientID else {
            warn("ignoring the token cache file \(filePath): it belongs to another token endpoint or client (it will be rewritten)")
            return nil
        }
        return token
    }

    /// Replaces the cache file atomically: a temporary file, fsync, rename, fsync of the directory.
    public func write(_ token: TokenSet) throws {
        try ensureDirectory()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try writeAtomically(try encoder.encode(StoredToken(token, tokenURL: tokenURL, clientID: clientID)), to: filePath)
    }

    /// Forgets the cached token (`caspio auth --logout`). True if there was one.
    @discardableResult
    public func delete() -> Bool {
        unlink(filePath) == 0
    }

    private func ensureDirectory() throws {
        do throws(PrivateFiles.Failure) { try PrivateFiles.ensureDirectory(directory, what: "token cache") } catch { throw cacheError(error.message) }
    }

    private func writeAtomically(_ data: Data, to path: String) throws {
        do throws(PrivateFiles.Failure) { try PrivateFiles.writeAtomically(data, to: path, what: "token cache") } catch { throw cacheError(error.message) }
    }

    private func cacheError(_ message: String) -> CaspioError {
        CaspioError(.config, message + " (set CASPIO_TOKEN_CACHE to another directory, or to off)")
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }

private func sanitise(_ text: String) -> String {
    String(text.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" ? $0 : "_" })
}

/// FNV-1a: a stable file-name key (not a security measure: nothing secret goes in).
func fnv1a64(_ text: String) -> UInt64 {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x100_0000_01b3
    }
    return hash
}
