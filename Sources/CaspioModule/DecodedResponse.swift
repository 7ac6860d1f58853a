import CaspioClient
import LuaJSON

/// A response whose JSON body was decoded where the request ran, off the Lua thread, so that
/// the Lua thread only replays it into tables: a pager's next page is decoded while the script
/// reads the current one. Held, like the response, only until the script waits for it.
struct DecodedResponse: Sendable {
    let response: CaspioResponse
    /// The body's value; nil when the body is not JSON, or does not decode (the Lua thread
    /// then decodes it again, to raise the error naming the request, as it always did).
    let json: DecodedJSON?

    init(_ response: CaspioResponse) {
        self.response = response
        json = LuaConversions.decodesBody(response) ? try? DecodedJSON(decoding: response.body) : nil
    }

    /// Decodes on Swift's shared pool, not on the serial request executor the request ran
    /// on: other requests go on being sent and received while a page decodes.
    static func decoding(_ response: CaspioResponse) async -> DecodedResponse {
        guard LuaConversions.decodesBody(response) else { return DecodedResponse(response) }
        return await withTaskExecutorPreference(globalConcurrentExecutor) { DecodedResponse(response) }
    }
}
