import CLua
import CLuaShim
import CaspioClient
import CaspioModule
import Foundation
import LuaBridge

/// An account the REPL is signed in to (lazily: nothing is sent until the first request).
public struct REPLAccount {
    public var context: ModuleContext
    /// "profile NAME, https://…" or why there is no account; never a secret.
    public var description: String

    public init(context: ModuleContext, description: String) {
        self.context = context
        self.description = description
    }
}

/// `caspio repl`: reads, evaluates and prints until Ctrl-D or `:quit`.
public final class REPL {
    public struct Options {
        /// A terminal: libedit, prompts, banner.
        public var interactive: Bool
        public var color: Bool
        public var historyPath: String?

        public init(interactive: Bool, color: Bool, historyPath: String?) {
            self.interactive = interactive
            self.color = color
            self.historyPath = historyPath
        }
    }

    let state = LuaState()
    var lua: Lua { state.lua }
    let options: Options
    let makeAccount: (String?) throws -> REPLAccount
    var account: REPLAccount
    var pretty: Pretty
    var cachedTableNames: [String]?
    /// The tokens `caspio.token()` handed out, so that printing can redact them.
    var issuedTokens: LuaRef?

    /// `makeAccount(nil)` is the active profile; `:profile NAME` asks for NAME.
    public init(options: Options, makeAccount: @escaping (String?) throws -> REPLAccount) throws {
        self.options = options
        self.makeAccount = makeAccount
        self.account = try makeAccount(nil)
        self.pretty = Pretty(color: options.color)
        try CaspioModule.install(into: state, context: account.context)
        try watchTokens()
    }

    /// Wraps `caspio.token` so the tokens it returns are known to the printer: the REPL never
    /// prints a token.
    func watchTokens() throws(LuaError) {
        let code = """
            local token, seen = caspio.token, {}
            rawset(caspio, "token", function(...) local t = token(...); seen[#seen + 1] = t; return t end)
            return seen
            """
        try lua.load(Array(code.utf8), name: "=[repl]")
        try lua.call(arguments: 0, results: 1)
        issuedTokens = lua.value(at: -1).tableRef
        lua.pop()
    }

    /// The printer, told about the tokens seen so far.
    var printer: Pretty {
        var printer = pretty
        var i: Int64 = 1
        while case .string(let token) = issuedTokens?.rawItem(i) ?? .nil {
            printer.secrets.append(token.bytes)
            i += 1
        }
        return printer
    }

    /// Runs the loop; returns the exit status (0 on Ctrl-D and `:quit`).
    public func run() -> Int32 {
        defer {
            state.close()
            account.context.shutdown()
        }
        let source: LineSource
        if options.interactive {
            source = LineEditor(historyPath: options.historyPath, completer: Completer(lua: lua) { [unowned self] in tableNames() })
            write("caspio \(CaspioModule.version) (\(LuaState.luaRelease)) — \(account.description)\n"
                + "Type :help for help, Ctrl-D to quit. Signs in on the first request.\n")
        } else {
            source = PlainLines()
        }
        var buffer: [String] = []
        while true {
            switch source.read(prompt: prompt(continuation: !buffer.isEmpty)) {
            case .endOfInput:
                if options.interactive { write("\n") }
                return 0
            case .interrupted:
                buffer = []
                write("\n")
            case .line(let line):
                if buffer.isEmpty, line.hasPrefix(":") {
                    source.remember(line)
                    if command(line) == .quit { return 0 }
                    continue
                }
                buffer.append(line)
                let chunk = buffer.joined(separator: "\n")
                let evaluator = Evaluator(lua: lua)
                let outcome = evaluator.evaluate(chunk)
                if case .incomplete = outcome { continue }
                source.remember(chunk)
                buffer = []
                show(outcome)
            }
        }
    }

    /// `_PROMPT` / `_PROMPT2` when set, as lua5.4.
    func prompt(continuation: Bool) -> String {
        guard options.interactive else { return "" }
        let value = lua.getGlobal(continuation ? "_PROMPT2" : "_PROMPT")
        switch value {
        case .string(let bytes): return bytes.text
        case .integer(let i): return "\(i)"
        case .number(let d): return "\(d)"
        default: return continuation ? ">> " : "> "
        }
    }

    func show(_ outcome: Evaluator.Outcome, elapsed: Double? = nil) {
        switch outcome {
        case .incomplete:
            writeError("incomplete input")
        case .values(let values):
            // Passwords and webhook secrets the session handled print as <redacted>.
            if values.count == 1, let records = recordTable(values[0]) {
                write(SecretRedactor.shared.redact(records) + "\n")
            } else if !values.isEmpty {
                write(SecretRedactor.shared.redact(rendered(values)) + "\n")
            }
        case .failure(let error):
            writeError(CaspioModule.report(error))
        case .stopped(let reason):
            writeError(reason.message)
        }
        if let elapsed { write(String(format: "(%.3f s)\n", elapsed)) }
    }

    /// A list of records as caspio.print_table shows it, in the terminal's width.
    func recordTable(_ value: LuaValue) -> String? {
        let columns = columnOrder(value)
        lua.push(value)
        defer { lua.pop() }
        let text = RecordTable(width: ShowFunctions.terminalWidth(), columns: columns).render(lua, at: -1)
        // Tokens never print, in a table either.
        return text.flatMap { printer.containsSecret(Array($0.utf8)) ? nil : $0 }
    }

    /// The values as lua.c prints them (tab-separated), records' fields in their table's order.
    func rendered(_ values: [LuaValue]) -> String {
        values.map { value in
            let base = lua.top
            defer { lua.top = base }
            var printer = printer
            lua_getfield(lua.L, caspio_registry_index(), ModuleContract.ordersForKey)
            if lua.type(at: -1) == LUA_TFUNCTION {
                lua.push(value)
                if (try? lua.call(arguments: 1, results: 1)) != nil, lua.type(at: -1) == LUA_TTABLE {
                    printer.orders = lua.absoluteIndex(-1)
                } else {
                    lua.top = base
                }
            } else {
                lua.top = base
            }
            lua.push(value)
            return printer.render(lua, at: -1)
        }.joined(separator: "\t")
    }

    /// The columns of a list t:all read, in its table's order (nil: sorted, PK_ID first).
    func columnOrder(_ value: LuaValue) -> [String]? {
        let base = lua.top
        defer { lua.top = base }
        lua_getfield(lua.L, caspio_registry_index(), ModuleContract.columnsOfKey)
        guard lua.type(at: -1) == LUA_TFUNCTION else { return nil }
        lua.push(value)
        guard (try? lua.call(arguments: 1, results: 1)) != nil, case .table(let names) = lua.value(at: -1) else { return nil }
        let result = Self.strings(names)
        return result.isEmpty ? nil : result
    }

    /// The strings of a list, up to the first item that is not one.
    static func strings(_ list: LuaRef) -> [String] {
        var result: [String] = []
        var i: Int64 = 1
        while let name = list.rawItem(i).stringValue {
            result.append(name)
            i += 1
        }
        return result
    }

    /// Table names of the account, asked once per session (per profile), through the module's
    /// `caspio.tables()`, which speaks the base URL's REST API version.
    func tableNames() -> [String]? {
        if let cachedTableNames { return cachedTableNames }
        let base = lua.top
        defer { lua.top = base }
        let code = """
            local ok, answer = pcall(caspio.tables)
            if not ok or type(answer) ~= "table" then return nil end
            local names = {}
            for _, item in ipairs(answer) do
              if type(item) == "string" then names[#names + 1] = item
              elseif type(item) == "table" and type(item.Name) == "string" then names[#names + 1] = item.Name end
            end
            return names
            """
        guard (try? lua.load(Array(code.utf8), name: "=completion")) != nil,
            (try? lua.call(arguments: 0, results: 1)) != nil,
            case .table(let names) = lua.value(at: -1)
        else { return nil }
        let result = Self.strings(names)
        cachedTableNames = result
        return result
    }

    /// A failed write (a terminal that hung up) is not an error here: the next read sees the
    /// end of input and the REPL ends, where FileHandle's non-throwing `write` would trap.
    func write(_ text: String) {
        caspio_flush_stdout()
        try? FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
    }

    func writeError(_ text: String) {
        var line = text + "\n"
        line.withUTF8 { caspio_write_stderr($0.baseAddress, $0.count) }
    }
}
