import AsyncHTTPClient
import CaspioSandbox
import Foundation
import NIOCore

/// A sandbox on a free loopback port and a plain HTTP client for it: the tests speak HTTP to a
/// real server, as scripts do.
struct SandboxHarness {
    /// The in-process sandbox, or nil for one served by a `caspio sandbox` process at `origin`.
    let running: RunningSandbox?
    let origin: String

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) }
        var object: [String: Any] { json as? [String: Any] ?? [:] }
        var result: [[String: Any]] { object["Result"] as? [[String: Any]] ?? [] }
    }

    static func start(
        _ configure: (inout SandboxSettings) -> Void = { _ in }, clock: SandboxClock = .real
    ) async throws -> SandboxHarness {
        var settings = SandboxSettings()
        configure(&settings)
        let running = try await RunningSandbox.start(settings, clock: clock)
        return SandboxHarness(running: running, origin: running.origin)
    }

    func stop() async { await running?.stop() }

    /// Runs `body` against a fresh sandbox and stops it afterwards, also when `body` throws.
    static func with(
        _ configure: (inout SandboxSettings) -> Void = { _ in }, clock: SandboxClock = .real,
        _ body: (SandboxHarness) async throws -> Void
    ) async throws {
        let sandbox = try await start(configure, clock: clock)
        do { try await body(sandbox) } catch {
            await sandbox.stop()
            throw error
        }
        await sandbox.stop()
    }

    func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: origin + path)
        request.method = .init(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 * 1024 * 1024)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, body: Array(buffer: bytes))
    }

    func token(_ form: String = "grant_type=client_credentials&client_id=sandbox-client&client_secret=sandbox-secret",
               basic: Bool = false) async throws -> Reply {
        var headers = [("Content-Type", "application/x-www-form-urlencoded")]
        if basic { headers.append(("Authorization", "Basic " + Data("sandbox-client:sandbox-secret".utf8).base64EncodedString())) }
        return try await send("POST", "/oauth/token", headers: headers, body: Array(form.utf8))
    }

    func accessToken() async throws -> String {
        try await token().object["access_token"] as? String ?? ""
    }

    /// A resource call under /integrations/rest/v3 with a fresh token (or the one given).
    func api(_ method: String, _ path: String, json: Any? = nil, token: String? = nil, contentType: String? = nil) async throws -> Reply {
        let bearer: String
        if let token { bearer = token } else { bearer = try await accessToken() }
        var headers = [("Authorization", "Bearer " + bearer), ("Accept", "application/json")]
        var body: [UInt8]?
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json, options: [.fragmentsAllowed]))
            headers.append(("Content-Type", contentType ?? "application/json"))
        } else if let contentType {
            headers.append(("Content-Type", contentType))
        }
        return try await send(method, "/integrations/rest/v3/" + path, headers: headers, body: body)
    }
}

/// Percent-encodes a query value.
func q(_ value: String) -> String {
    value.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? value
}
