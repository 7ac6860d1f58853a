#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `/_sandbox/inbox`: a webhook receiver on the sandbox itself, so that a script (and the
/// webhooks example) can point a webhook at it and read what was delivered. POST keeps a
/// JSON body; GET answers them all, oldest first. Not part of Caspio's API.
extension Sandbox {
    func receive(_ request: SandboxRequest) throws -> SandboxResponse {
        guard let body = JSON.parse(request.body) else { throw APIError.badBody("the body is not valid JSON") }
        try locked { try $0.putObject("inbox", UUID().uuidString.lowercased(), body) }
        return .noContent
    }

    func inbox() throws -> SandboxResponse {
        .json(200, .array(try locked { try $0.objects("inbox") }.map(\.body)))
    }
}
