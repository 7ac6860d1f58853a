import CLua
import CLuaShim
import CaspioClient
import Foundation
import LuaBridge
import LuaCSV
import Logging

/// The host functions behind the module, handed to the Lua chunks as `internal.native`
/// (never globals). Each argument check is made here or in Lua, never in both.
enum NativeFunctions {
    static func all(_ context: ModuleContext) -> [String: HostFunction] {
        core(context)
            .merging(LuaCSV.functions(usage: { lua, message in ModuleContract.usage(lua, message) })) { a, _ in a }
            .merging(ShowFunctions.all) { a, _ in a }
            .merging(TargetFunctions.all(context)) { a, _ in a }
    }

    private static func core(_ context: ModuleContext) -> [String: HostFunction] {
        [
            "start": { lua in try start(lua, context) },
            "wait": { lua in try wait(lua, context) },
            "cancel": { lua in
                context.broker.cancel((1...max(1, lua.top)).compactMap { lua.integer(at: $0).map(Int.init) })
                return .none
            },
            "auth": { lua in try tokenInfo(lua, context) { (client) throws(CaspioError) in try await client.tokens.authenticate() } },
            "refresh": { lua in try tokenInfo(lua, context) { (client) throws(CaspioError) in try await client.tokens.refresh() } },
            "token": { lua in
                let token = try awaitToken(lua, context) { (client) throws(CaspioError) in try await client.tokens.validToken() }
                lua.push(token.accessToken.reveal())
                return .one
            },
            "stats": { lua in
                _ = pushStats(lua, context.existingClient?.counters.snapshot ?? Counters.Snapshot())
                lua.push(context.elapsed)
                lua.setField("duration", ofTableAt: -2)
                return .one
            },
            "count_rows": { lua in
                let read = Int(lua.integer(at: 1) ?? 0), written = Int(lua.integer(at: 2) ?? 0)
                try? context.sharedClient().counters.countRows(read: read, written: written)
                return .none
            },
            // max_attempts(): how many times the transport sends a request it may replay; an
            // insert that cannot be replayed blindly, but can be looked up, gets as many.
            "max_attempts": { lua in
                let configuration = try raising(lua) { () throws(CaspioError) in try context.sharedClient().configuration }
                lua.push(Int64(configuration.retry.maxAttempts))
                return .one
            },
            // describe_error(kind, message, status, code, request_id, method, url, remediation): an error
            // table's words (errors.lua's __tostring), by the formatter of CaspioError.
            "describe_error": { lua in
                func text(_ index: Int32) -> String? { lua.type(at: index) == LUA_TSTRING ? lua.string(at: index) : nil }
                lua.push(CaspioError.describe(
                    kind: text(1) ?? "nil", message: text(2) ?? "nil", status: text(3), code: text(4), requestID: text(5),
                    method: text(6), url: text(7), remediation: text(8)))
                return .one
            },
            "log": { lua in
                let level = Logger.Level(rawValue: lua.string(at: 1) ?? "info") ?? .info
                context.logger.log(level: level, "\(lua.string(at: 2) ?? "")")
                return .none
            },
            // stderr(text): the module's own lines (a dry run's), with every registered secret
            // blanked, as log lines are: Lua's io.stderr would print a password as it is.
            "stderr": { lua in
                FileHandle.standardError.write(Data(SecretRedactor.shared.redact(lua.string(at: 1) ?? "").utf8))
                return .none
            },
            // caspio.sleep itself.
            "sleep": { lua in
                guard lua.type(at: 1) == LUA_TNUMBER, let seconds = lua.number(at: 1), seconds >= 0 else {
                    throw ModuleContract.usage(lua, "bad argument #1 to 'sleep' (seconds expected)")
                }
                context.broker.sleep(seconds)
                return .none
            },
            "config": { lua in try pushConfig(lua, context) },
            // api_version(): the REST API version the base URL names (ClientConfiguration's
            // rule, the one place it is written): dialect.lua picks its dialect by it.
            "api_version": { lua in
                let configuration = try raising(lua) { () throws(CaspioError) in try context.sharedClient().configuration }
                lua.push(Int64(configuration.apiVersion))
                return .one
            },
            "dry_run": { lua in
                lua.push(context.dryRun)
                return .one
            },
            "state_path": { lua in
                lua.push(try stateStore(lua, context).location)
                return .one
            },
            "state_read": { lua in
                let state = try stateStore(lua, context)
                guard let bytes = try raising(lua, { () throws(CaspioError) in try state.read() }) else { return .none }
                lua.push(String(decoding: bytes, as: UTF8.self))
                return .one
            },
            "state_write": { lua in
                let state = try stateStore(lua, context)
                guard let text = lua.string(at: 1) else { throw LuaRaise.message("state_write: text expected") }
                try raising(lua) { () throws(CaspioError) in try state.write(Array(text.utf8)) }
                return .none
            },
            // usage(message): raises a usage error at the script's line (Lua's internal.usage).
            "usage": { lua in throw ModuleContract.usage(lua, lua.string(at: 1) ?? "") },
            // nearest(word, candidate...) -> " (did you mean 'x'?)" or "".
            "nearest": { lua in
                let word = lua.string(at: 1) ?? ""
                let candidates = lua.top < 2 ? [] : (2...lua.top).compactMap { lua.string(at: $0) }
                lua.push(NearestNames.hint(for: word, in: candidates))
                return .one
            },
            // secret(text): a password or webhook secret the script handled, blanked out of
            // every log line and error message from now on, as the client secret is.
            "secret": { lua in
                if let text = lua.string(at: 1) { SecretRedactor.shared.register(Secret(text)) }
                return .none
            },
            // What a stop raises, for waits that return early ("interrupted!" or "timeout!").
            "stop_message": { lua in
                lua.push(RunStop.reason.message)
                return .one
            },
        ]
    }

    /// start(method, path, opts) -> ticket: the request runs while Lua goes on. The checks of
    /// caspio.request's arguments and options are all here.
    private static func start(_ lua: Lua, _ context: ModuleContext) throws -> HostResult {
        guard let method = lua.string(at: 1), !method.isEmpty else {
            throw ModuleContract.usage(lua, "bad argument #1 to 'request' (method string expected)")
        }
        guard let path = lua.string(at: 2) else {
            throw ModuleContract.usage(lua, "bad argument #2 to 'request' (path string expected)")
        }
        let request = try LuaConversions.request(lua, method: method, path: path, optionsIndex: 3)
        let client = try raising(lua) { () throws(CaspioError) in try context.sharedClient() }
        lua.push(context.broker.start { () throws(CaspioError) in try await client.send(request) })
        return .one
    }

    /// `native.wait(ticket...)`: the first of the tickets' requests to finish, as a table
    /// `{ticket, ok, value, http_error}`: `ok` true with the response as `value` (and, for a
    /// status outside 2xx, its error as `http_error`), or false with the error as `value`. Nothing
    /// when the run is stopped (the requests are cancelled).
    private static func wait(_ lua: Lua, _ context: ModuleContext) throws -> HostResult {
        let tickets = (1...max(1, lua.top)).compactMap { lua.integer(at: $0).map(Int.init) }
        guard let (ticket, outcome) = context.broker.waitAny(tickets) else {
            context.broker.cancel(tickets)
            context.existingClient?.endPause()
            return .none
        }
        lua.newTable(fieldCapacity: 4)
        lua.push(Int64(ticket))
        lua.setField("ticket", ofTableAt: -2)
        var failure: CaspioError?
        switch outcome {
        case .success(let response):
            let top = lua.top
            do {
                try LuaConversions.pushResponse(lua, response)
                lua.setField("value", ofTableAt: -2)
                // Only 2xx is success: a 3xx is a redirect the client does not follow.
                if response.status >= 300 || response.status < 200 {
                    LuaConversions.pushError(lua, response.error)
                    lua.setField("http_error", ofTableAt: -2)
                }
            } catch {
                lua.pop(lua.top - top)  // what a body that failed to decode left
                failure = error
            }
        case .failure(let error):
            failure = error
        }
        if let failure {
            LuaConversions.pushError(lua, failure)
            lua.setField("value", ofTableAt: -2)
        }
        lua.push(failure == nil)
        lua.setField("ok", ofTableAt: -2)
        return .one
    }

    private static func tokenInfo(
        _ lua: Lua, _ context: ModuleContext,
        _ work: @escaping @Sendable (CaspioClient) async throws(CaspioError) -> TokenSet
    ) throws -> HostResult {
        let token = try awaitToken(lua, context, work)
        lua.newTable(fieldCapacity: 4)
        lua.push(token.tokenType)
        lua.setField("token_type", ofTableAt: -2)
        if let expiresAt = token.expiresAt {
            lua.push(Int64(max(0, expiresAt.timeIntervalSinceNow.rounded())))
            lua.setField("expires_in", ofTableAt: -2)
            lua.push(Int64(expiresAt.timeIntervalSince1970.rounded()))
            lua.setField("expires_at", ofTableAt: -2)
        }
        lua.push(token.source.rawValue)
        lua.setField("source", ofTableAt: -2)
        return .one
    }

    private static func awaitToken(
        _ lua: Lua, _ context: ModuleContext,
        _ work: @escaping @Sendable (CaspioClient) async throws(CaspioError) -> TokenSet
    ) throws -> TokenSet {
        let client = try raising(lua) { () throws(CaspioError) in try context.sharedClient() }
        guard let outcome = context.tokenBroker.run({ () throws(CaspioError) in try await work(client) }) else {
            throw LuaRaise.message("interrupted!")
        }
        return try raising(lua) { () throws(CaspioError) in try outcome.get() }
    }

    private static func stateStore(_ lua: Lua, _ context: ModuleContext) throws -> any ScriptStateStore {
        guard let path = context.state else {
            throw ModuleContract.usage(lua, "caspio.state needs a script file to derive its file from, or --state FILE (CASPIO_STATE)")
        }
        return path
    }

    /// Runs `body`; a CaspioError becomes the module's error table, raised.
    static func raising<T>(_ lua: Lua, _ body: () throws(CaspioError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            LuaConversions.pushError(lua, error)
            throw LuaRaise.valueOnStack
        }
    }

    private static func pushStats(_ lua: Lua, _ s: Counters.Snapshot) -> HostResult {
        lua.newTable(fieldCapacity: 12)
        lua.push(s.paused)
        lua.setField("paused", ofTableAt: -2)
        let numbers: [(String, Int)] = [
            ("requests", s.requests), ("retries", s.retries), ("bytes_in", s.bytesIn), ("bytes_out", s.bytesOut),
            ("rows_read", s.rowsRead), ("rows_written", s.rowsWritten), ("throttled", s.throttled), ("pauses", s.pauses),
        ]
        for (key, value) in numbers {
            lua.push(Int64(value))
            lua.setField(key, ofTableAt: -2)
        }
        for (key, counts) in [("requests_by_method", s.requestsByMethod), ("grants", s.grants)] {
            lua.newTable(fieldCapacity: Int32(counts.count))
            for (name, count) in counts {
                lua.push(Int64(count))
                lua.setField(name, ofTableAt: -2)
            }
            lua.setField(key, ofTableAt: -2)
        }
        return .one
    }

    private static func pushConfig(_ lua: Lua, _ context: ModuleContext) throws -> HostResult {
        let configuration = try raising(lua) { () throws(CaspioError) in try context.sharedClient().configuration }
        let shown = configuration.shown
        lua.newTable(fieldCapacity: Int32(shown.count))
        for (name, value) in shown {
            switch value {
            case .text(let text): lua.push(text)
            case .integer(let integer): lua.push(Int64(integer))
            case .number(let number): lua.push(number)
            }
            lua.setField(name, ofTableAt: -2)
        }
        return .one
    }
}
