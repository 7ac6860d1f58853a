/// Where a test's client finds Caspio and how it signs in: the emulator (`EmulatedCaspio`) or,
/// while tests move to it, `FakeCaspio`.
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

extension FakeCaspio: CaspioEndpoint {
    public var clientID: String { settings.clientID }
    public var clientSecret: String { settings.clientSecret }
}
