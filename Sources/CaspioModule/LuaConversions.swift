import CLua
import Foundation
import CaspioClient
import LuaBridge
import LuaJSON

/// Reading `caspio.request` options from Lua, and pushing responses and errors back.
enum LuaConversions {
    /// Builds a request from `method`, `path` and the options table at `optionsIndex` (or none).
    /// Which options there are and their kinds were checked by the Lua side (options.lua);
    /// what is inside them is checked here. Bad options are the script's mistakes: raised at
    /// its line.
    static func request(_ lua: Lua, method: String, path: String, optionsIndex: Int32) throws -> CaspioRequest {
        var request = CaspioRequest(method, path)
        guard lua.type(at: optionsIndex) == LUA_TTABLE else { return request }
        if lua.pushField("query", ofTableAt: optionsIndex) == LUA_TTABLE {
            request.query = try stringPairs(lua, at: -1, what: "query")
        }
        lua.pop()
        if lua.pushField("headers", ofTableAt: optionsIndex) == LUA_TTABLE {
            request.headers = try stringPairs(lua, at: -1, what: "headers")
        }
        lua.pop()
        let hasJSON = lua.pushField("json", ofTableAt: optionsIndex) != LUA_TNIL
        if hasJSON {
            do {
                request.body = try LuaJSON.encode(lua, at: -1)
            } catch {
                throw ModuleContract.usage(lua, "opts.json cannot be sent as JSON: \(error)")
            }
            request.contentType = "application/json"
        }
        lua.pop()
        if lua.pushField("body", ofTableAt: optionsIndex) == LUA_TSTRING, let bytes = lua.bytes(at: -1) {
            guard !hasJSON else { throw ModuleContract.usage(lua, "give opts.json or opts.body, not both") }
            request.body = bytes
        }
        lua.pop()
        if lua.pushField("content_type", ofTableAt: optionsIndex) == LUA_TSTRING {
            request.contentType = lua.string(at: -1)
        }
        lua.pop()
        if lua.pushField("save_to", ofTableAt: optionsIndex) != LUA_TNIL {
            guard let path = lua.string(at: -1), !path.isEmpty else {
                throw ModuleContract.usage(lua, "opts.save_to must be a file path")
            }
            // Checked before the (billed) request: a missing folder is the script's to fix.
            let folder = (path as NSString).deletingLastPathComponent
            var isDirectory: ObjCBool = false
            if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) || !isDirectory.boolValue {
                throw ModuleContract.usage(lua, "cannot save to \(path): the folder \(folder) does not exist (create it first)")
            }
            request.downloadTo = path
        }
        lua.pop()
        if lua.pushField("timeout", ofTableAt: optionsIndex) == LUA_TNUMBER, let seconds = lua.number(at: -1) {
            request.timeout = seconds
        }
        lua.pop()
        if lua.pushField("principal", ofTableAt: optionsIndex) == LUA_TSTRING {
            request.principal = lua.string(at: -1)
        }
        lua.pop()
        return request
    }

    /// A table of names to scalars as (name, text) pairs, sorted by name for stable URLs.
    static func stringPairs(_ lua: Lua, at index: Int32, what: String) throws -> [(String, String)] {
        let table = lua.absoluteIndex(index)
        var pairs: [(String, String)] = []
        lua.pushNil()
        // A throw leaves the stack as it is: the trampoline raises, and Lua discards it.
        while lua_next(lua.L, table) != 0 {
            defer { lua.pop() }
            guard let key = lua.string(at: -2) else {
                throw ModuleContract.usage(lua, "opts.\(what): names must be strings")
            }
            guard let value = scalarText(lua, at: -1) else {
                throw ModuleContract.usage(lua, "opts.\(what).\(key) must be a string, number or boolean (got \(lua.typeName(at: -1)))")
            }
            pairs.append((key, value))
        }
        return pairs.sorted { $0.0 < $1.0 }
    }

    /// Strings as they are, integers exactly, floats in shortest form, booleans as words.
    static func scalarText(_ lua: Lua, at index: Int32) -> String? {
        switch lua.value(at: index) {
        case .string(let bytes): return bytes.text
        case .integer(let i): return String(i)
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .boolean(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// `{status, headers, body, json, request_id}`; header names lower-case. A body that says
    /// it is JSON but is not becomes an error.
    static func pushResponse(_ lua: Lua, _ response: CaspioResponse) throws(CaspioError) {
        lua.newTable(fieldCapacity: 6)
        lua.push(Int64(response.status))
        lua.setField("status", ofTableAt: -2)
        lua.newTable(fieldCapacity: Int32(response.headers.count))
        for (name, value) in response.headers {
            let key = name.lowercased()
            if lua.pushField(key, ofTableAt: -1) == LUA_TSTRING, let previous = lua.string(at: -1) {
                lua.pop()
                lua.push(previous + ", " + value)
            } else {
                lua.pop()
                lua.push(value)
            }
            lua.setField(key, ofTableAt: -2)
        }
        lua.setField("headers", ofTableAt: -2)
        response.body.withUnsafeBytes { lua.push(bytes: $0) }
        lua.setField("body", ofTableAt: -2)
        if let id = response.requestID {
            lua.push(id)
            lua.setField("request_id", ofTableAt: -2)
        }
        if response.isJSON, !response.body.isEmpty {
            let failure: JSONError? = response.body.withUnsafeBytes { bytes -> JSONError? in
                do {
                    try LuaJSON.decode(lua, bytes)
                    return nil
                } catch let error as JSONError {
                    return error
                } catch {
                    return JSONError(message: "\(error)")
                }
            }
            if let error = failure {
                lua.pop()
                throw CaspioError(
                    .http, "the server said the answer is JSON, but it is not: \(error)", status: response.status,
                    requestID: response.requestID, method: response.method, url: response.url)
            }
            lua.setField("json", ofTableAt: -2)
        }
    }

    /// The error table scripts branch on: kind, status, code, message, request_id, method, url.
    static func pushError(_ lua: Lua, _ error: CaspioError) {
        lua.newTable(fieldCapacity: 8)
        lua.push(error.kind.rawValue)
        lua.setField("kind", ofTableAt: -2)
        lua.push(error.message)
        lua.setField("message", ofTableAt: -2)
        if let status = error.status {
            lua.push(Int64(status))
            lua.setField("status", ofTableAt: -2)
        }
        let strings = [
            ("code", error.code), ("request_id", error.requestID), ("method", error.method), ("url", error.url), ("remediation", error.remediation),
        ]
        for (key, value) in strings {
            if let value {
                lua.push(value)
                lua.setField(key, ofTableAt: -2)
            }
        }
        if error.isSetup {
            lua.push(true)
            lua.setField("setup", ofTableAt: -2)
        }
        luaL_setmetatable(lua.L, ModuleContract.errorMetatable)
    }
}
