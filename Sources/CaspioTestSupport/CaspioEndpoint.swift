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

/// The emulator behind a `FaultyServer` that clients talk to: HTTPS on 127.0.0.1 for tests of
/// certificates, or faults the emulator cannot script (a dropped connection). The emulator
/// still logs what reaches it.
public final class FrontedCaspio: CaspioEndpoint {
    public let emulator: EmulatedCaspio
    public let front: FaultyServer

    init(_ emulator: EmulatedCaspio, tls: TestCertificates?, decide: @escaping FaultyServer.Decide) throws {
        self.emulator = emulator
        front = try FaultyServer(tls: tls, upstream: emulator.origin, decide: decide)
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
    public func https(_ certificates: TestCertificates) throws -> FrontedCaspio {
        try FrontedCaspio(self, tls: certificates) { _ in .forward }
    }

    /// This emulator behind a front that misbehaves as `decide` says, request by request.
    public func fronted(tls: TestCertificates? = nil, _ decide: @escaping FaultyServer.Decide) throws -> FrontedCaspio {
        try FrontedCaspio(self, tls: tls, decide: decide)
    }
}
