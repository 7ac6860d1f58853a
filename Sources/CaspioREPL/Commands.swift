import CaspioClient
import CaspioModule
import Foundation
import LuaBridge
import LuaJSON

/// The `:` commands of the REPL.
extension REPL {
    enum CommandResult { case next, quit }

    static let help = """
        Lua 5.4 with the caspio module. An expression prints its values; `_` holds the first.
          caspio.request(method, path [, opts])   one request; returns the response table
          caspio.get/post/put/delete(path, ...)   the decoded JSON answer
          caspio.table(name) / caspio.view(name)  a handle: :rows :all :first :count :insert :update :delete :fields
          caspio.records(name [, opts])           iterate the records of a table or view
          caspio.files.* / caspio.attachments.*   upload, download, list, info, delete
          caspio.map(list, fn [, opts]) / caspio.parallel(fns)   concurrent requests
          caspio.where{...} caspio.json caspio.log caspio.sleep caspio.env caspio.config
          caspio.auth() caspio.refresh() caspio.stats()
        Commands:
          :help           this text
          :profile NAME   switch to another profile of the config file
          :stats          requests and token grants so far
          :time EXPR      evaluate and print the time taken
          :json EXPR      print the value as JSON
          :quit           leave (so does Ctrl-D)
        TAB completes names, fields and methods; Ctrl-R searches the history; Ctrl-C stops a
        running loop or request.
        """

    func command(_ line: String) -> CommandResult {
        let trimmed = line.dropFirst().trimmingCharacters(in: .whitespaces)
        let name = String(trimmed.prefix { !$0.isWhitespace })
        let argument = trimmed.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        switch name {
        case "quit", "q", "exit": return .quit
        case "help", "h", "?": write(Self.help + "\n")
        case "stats": show(Evaluator(lua: lua).evaluate("return caspio.stats()"))
        case "time":
            guard !argument.isEmpty else { return usage(":time EXPR") }
            let started = DispatchTime.now().uptimeNanoseconds
            let outcome = Evaluator(lua: lua).evaluate(argument)
            show(outcome, elapsed: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
        case "json":
            guard !argument.isEmpty else { return usage(":json EXPR") }
            printJSON(argument)
        case "profile":
            guard !argument.isEmpty else { return usage(":profile NAME") }
            switchProfile(argument)
        default:
            writeError("unknown command :\(name) (try :help)")
        }
        return .next
    }

    private func usage(_ text: String) -> CommandResult {
        writeError("usage: \(text)")
        return .next
    }

    private func printJSON(_ expression: String) {
        switch Evaluator(lua: lua).evaluate("return " + expression) {
        case .values(let values):
            lua.push(values.first ?? .nil)
            defer { lua.pop() }
            do {
                let bytes = try LuaJSON.encode(lua, at: -1, options: JSONEncodeOptions(indent: 2, sortKeys: true))
                if printer.containsSecret(bytes) {
                    writeError("not printed: the value contains an access token")
                } else {
                    write(String(decoding: bytes, as: UTF8.self) + "\n")
                }
            } catch {
                writeError("cannot encode as JSON: \(error)")
            }
        case let outcome:
            show(outcome)
        }
    }

    private func switchProfile(_ name: String) {
        let next: REPLAccount
        do { next = try makeAccount(name) } catch {
            let reason = (error as? CaspioError)?.message ?? "\(error)"
            writeError("cannot switch to profile \(name): \(reason)\nstill using \(account.description)")
            return
        }
        do {
            try CaspioModule.install(into: state, context: next.context)
            try watchTokens()
        } catch {
            writeError("cannot switch to profile \(name): \(error.message)\nstill using \(account.description)")
            return
        }
        account.context.retire(because: "this value belongs to \(account.description), which the REPL left for profile \(name) (:profile); use caspio again")
        account = next
        cachedTableNames = nil
        write("now \(next.description)\n")
    }
}
