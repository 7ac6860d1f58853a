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
}
