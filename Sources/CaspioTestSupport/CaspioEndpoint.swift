/// Where a test's client finds Caspio and how it signs in: the emulator (`EmulatedCaspio`), or
/// the emulator behind HTTPS (`EmulatedCaspio.https`).
public protocol CaspioEndpoint: Sendable {
    var baseURL: String { get }
    var tokenURL: String { get }
    var clientID: String { get }
    var clientSecret: String { get }
    /// Environment variables that point `caspio` at this endpoint.
    func environment(cacheDirectory: String?, caFile: String?) -> [String: String]
}

extension EmulatedCaspio: CaspioEndpoint {
    public var clientID: String { settings.clientID }
    public var clientSecret: String { settings.clientSecret }
}

extension CaspioEndpoint {
    public func environment(cacheDirectory: String?, caFile: String?) -> [String: String] {
        var env = [
            "CASPIO_BASE_URL": baseURL, "CASPIO_TOKEN_URL": tokenURL, "CASPIO_CLIENT_ID": clientID,
            "CASPIO_CLIENT_SECRET": clientSecret, "CASPIO_TOKEN_CACHE": cacheDirectory ?? "off",
            "CASPIO_CONFIG": "/nonexistent/caspio-config.toml",
        ]
        if let caFile { env["CASPIO_CA_FILE"] = caFile }
        return env
    }
}

/// The emulator behind HTTPS on 127.0.0.1 (a TLS front forwarding every request to it), for
/// tests of certificates: the emulator still logs what reaches it.
public final class TLSFront: CaspioEndpoint {
    public let emulator: EmulatedCaspio
    public let front: FaultyServer

    init(_ emulator: EmulatedCaspio, certificates: TestCertificates) throws {
        self.emulator = emulator
        front = try FaultyServer(tls: certificates, upstream: emulator.origin) { _ in .forward }
    }

    deinit { front.shutdown() }

    public var origin: String { front.origin }
    public var baseURL: String { front.origin + "/integrations/rest/v3" }
    public var tokenURL: String { front.origin + "/oauth/token" }
    public var clientID: String { emulator.clientID }
    public var clientSecret: String { emulator.clientSecret }
}

extension EmulatedCaspio {
    /// This emulator behind HTTPS with `certificates` (clients trust their `caFile`).
    public func https(_ certificates: TestCertificates) throws -> TLSFront { try TLSFront(self, certificates: certificates) }
}
