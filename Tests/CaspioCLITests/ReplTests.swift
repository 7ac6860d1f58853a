import CaspioTestSupport
import Foundation
import Testing

/// `caspio repl` in a real terminal (tmux), and in pipes.
@Suite(.serialized) struct ReplTests {
    /// A private HOME and XDG_STATE_HOME, the emulator's account, no colours.
    func environment(_ directory: URL, _ fake: EmulatedCaspio) -> [String: String] {
        var env = fake.environment(cacheDirectory: directory.path + "/cache")
        env["HOME"] = directory.path
        env["XDG_STATE_HOME"] = directory.path + "/state"
        env["NO_COLOR"] = "1"
        env["TERM"] = "xterm"
        return env
    }

    /// Waits for an empty prompt on the last line (after Ctrl-C drops a line).
    func waitForPrompt(_ session: TmuxSession) async throws {
        let (ok, screen) = try await session.waitFor { screen in
            screen.split(separator: "\n").last { !$0.allSatisfy(\.isWhitespace) }.map { $0.trimmingCharacters(in: .whitespaces) } == ">"
        }
        #expect(ok, "a fresh prompt: \(screen)")
    }

    @Test func evaluatesPrintsContinuesAndCompletes() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = try temporaryDirectory()
        let session = try await TmuxSession([caspioBinary.path, "repl"], environment: environment(directory, fake), directory: directory)

        var (ok, screen) = try await session.waitFor("Type :help")
        #expect(ok, "banner: \(screen)")
        #expect(screen.contains(fake.baseURL), "the banner names the base URL")
        #expect(!screen.contains(fake.settings.clientSecret), "no secret in the banner")

        try await session.line("1 + 1, 'two'")
        (ok, screen) = try await session.waitFor { $0.contains("> 1 + 1, 'two'\n2") && $0.contains("\"two\"") }
        #expect(ok, "expression: \(screen)")

        try await session.line("function double(x)")
        (ok, screen) = try await session.waitFor(">> ")
        #expect(ok, "continuation prompt: \(screen)")
        try await session.line("  return x * 2")
        try await session.line("end")
        try await session.line("double(21)")
        (ok, screen) = try await session.waitFor("\n42\n")
        #expect(ok, "multi-line: \(screen)")

        try await session.line("error('boom')")
        (ok, screen) = try await session.waitFor("stack traceback:")
        #expect(ok && screen.contains("stdin:1: boom"), "error: \(screen)")
        try await session.line("_ + 1")
        (ok, screen) = try await session.waitFor("\n43\n")
        #expect(ok, "continues after an error, `_` kept: \(screen)")
        try await waitForPrompt(session)

        try await session.type("caspio.re")
        try await session.press("Tab", "Tab")
        (ok, screen) = try await session.waitFor { $0.contains("caspio.records") && $0.contains("caspio.refresh") && $0.contains("caspio.request") }
        #expect(ok, "completion of fields: \(screen)")
        try await session.press("C-c")  // drops the line, stays in the REPL
        try await waitForPrompt(session)
        try await session.line("t = caspio.table('Customers')")
        try await waitForPrompt(session)
        try await session.type("t:ins")
        try await session.press("Tab")
        (ok, screen) = try await session.waitFor("> t:insert")
        #expect(ok, "completion of methods: \(screen)")
        try await session.press("C-c")
        try await waitForPrompt(session)

        try await session.line("print('looping') while true do end")
        (ok, screen) = try await session.waitFor("looping\n")
        #expect(ok, "loop started: \(screen)")
        try await session.press("C-c")
        (ok, screen) = try await session.waitFor("interrupted!")
        #expect(ok, "Ctrl-C stops the loop: \(screen)")
        try await session.line("'still here'")
        (ok, screen) = try await session.waitFor("\n\"still here\"\n")
        #expect(ok, "the REPL survives Ctrl-C: \(screen)")

        try await session.line(":json { b = caspio.json.null, a = { 1, 2 } }")
        (ok, screen) = try await session.waitFor("\"b\": null")
        #expect(ok, ":json: \(screen)")

        try await session.press("C-d")
        (ok, screen) = try await session.waitFor("[exit 0]")
        #expect(ok, "Ctrl-D exits 0: \(screen)")
    }

    @Test func requestsAuthenticateLazilyAndCtrlCStopsThem() async throws {
        let fake = try await EmulatedCaspio.start()
        fake.delay { $0.path.hasSuffix("/slow") ? 60 : 0 }
        fake.script([.json(200, ["Result": ["Customers", "Orders", "Cups"]])])
        let directory = try temporaryDirectory()
        let session = try await TmuxSession([caspioBinary.path, "repl"], environment: environment(directory, fake), directory: directory)
        try await session.waitFor("Type :help")
        try await session.line(":time 6 * 7")
        var (ok, screen) = try await session.waitFor(" s)")
        #expect(ok && screen.contains("\n42\n"), ":time: \(screen)")
        #expect(fake.grantCount == 0, "no sign-in before the first request")
        try await waitForPrompt(session)

        try await session.type("caspio.table(\"Cu")
        try await session.press("Tab", "Tab")
        (ok, screen) = try await session.waitFor { $0.contains("Customers") && $0.contains("Cups") }
        #expect(ok, "table names completed: \(screen)")
        #expect(fake.grantCount == 1, "the first request signed in")
        try await session.press("C-c")
        try await waitForPrompt(session)

        try await session.line("caspio.request('GET', 'tables')")
        (ok, screen) = try await session.waitFor("HTTP 200 (request ")
        #expect(ok, "a response prints its status and request id: \(screen)")

        try await session.line("caspio.get('slow')")
        try await session.waitFor { _ in fake.requests.contains { $0.path.hasSuffix("/slow") } }
        try await session.press("C-c")
        (ok, screen) = try await session.waitFor("interrupted!", timeout: 20)
        #expect(ok, "Ctrl-C stops a request: \(screen)")
        try await session.line("caspio.token()")
        (ok, screen) = try await session.waitFor("<redacted: contains an access token>")
        #expect(ok, "the REPL does not print tokens: \(screen)")
        try await session.line(":json { auth = 'Bearer ' .. caspio.token() }")
        (ok, screen) = try await session.waitFor("not printed: the value contains an access token")
        #expect(ok, "\(screen)")
        try await session.line(":stats")
        (ok, screen) = try await session.waitFor("client_credentials = 1")
        #expect(ok, ":stats: \(screen)")
        #expect(!screen.contains(fake.settings.clientSecret))
        try await session.line(":quit")
        (ok, screen) = try await session.waitFor("[exit 0]")
        #expect(ok, "\(screen)")
    }

    @Test func historyPersistsAcrossSessionsWithoutSecrets() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = try temporaryDirectory()
        let env = environment(directory, fake)
        let first = try await TmuxSession([caspioBinary.path, "repl"], environment: env, directory: directory)
        try await first.waitFor("Type :help")
        try await first.line("remembered = 'yes'")
        try await first.line("x = 'client_secret=hunter2'")
        try await first.line(":quit")
        var (ok, screen) = try await first.waitFor("[exit 0]")
        #expect(ok, ":quit exits 0: \(screen)")

        let path = directory.path + "/state/caspio/history"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("remembered"))
        #expect(!text.contains("hunter2"), "lines with secrets stay out of the history")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let second = try await TmuxSession([caspioBinary.path], environment: env, directory: directory)
        try await second.waitFor("Type :help")
        try await second.press("Up", "Up")
        (ok, screen) = try await second.waitFor("> remembered = 'yes'")
        #expect(ok, "history recalled in a new session (caspio alone starts the REPL): \(screen)")
        try await second.press("Enter")
        try await second.line("remembered")
        (ok, screen) = try await second.waitFor("\n\"yes\"\n")
        #expect(ok, "\(screen)")
    }

    @Test func profileSwitchesAccount() async throws {
        let fake = try await EmulatedCaspio.start()
        let directory = try temporaryDirectory()
        let config = try write(
            """
            default_profile = "first"
            [profiles.first]
            base_url = "\(fake.baseURL)"
            token_url = "\(fake.tokenURL)"
            client_id = "\(fake.settings.clientID)"
            client_secret_env = "FAKE_SECRET"
            [profiles.second]
            base_url = "\(fake.baseURL)/second"
            token_url = "\(fake.tokenURL)"
            client_id = "\(fake.settings.clientID)"
            client_secret_env = "FAKE_SECRET"
            """, to: directory.appendingPathComponent("config.toml"))
        let env = [
            "HOME": directory.path, "XDG_STATE_HOME": directory.path + "/state", "NO_COLOR": "1", "TERM": "xterm",
            "CASPIO_CONFIG": config.path, "CASPIO_TOKEN_CACHE": "off", "FAKE_SECRET": fake.settings.clientSecret,
        ]
        let session = try await TmuxSession([caspioBinary.path, "repl"], environment: env, directory: directory)
        var (ok, screen) = try await session.waitFor("Type :help")
        #expect(ok && screen.contains("profile first, \(fake.baseURL)"), "\(screen)")
        try await session.line(":profile second")
        (ok, screen) = try await session.waitFor("now profile second, \(fake.baseURL)/second")
        #expect(ok, ":profile: \(screen)")
        try await session.line("caspio.config.profile")
        (ok, screen) = try await session.waitFor("\n\"second\"\n")
        #expect(ok, "the module uses the new profile: \(screen)")
        #expect(!screen.contains(fake.settings.clientSecret))
    }

    /// Table names complete on REST API v4 too (its listing is `{data: [{tableId, name}]}`).
    @Test func tableNamesCompleteOnV4() async throws {
        let directory = try temporaryDirectory()
        let environment = [
            "HOME": directory.path, "XDG_STATE_HOME": directory.path + "/state", "NO_COLOR": "1", "TERM": "xterm",
            "CASPIO_CONFIG": directory.path + "/none.toml", "CASPIO_SANDBOX_API": "4",
        ]
        let session = try await TmuxSession([caspioBinary.path, "repl", "--sandbox"], environment: environment, directory: directory)
        var (ok, screen) = try await session.waitFor("Type :help")
        #expect(ok, "banner: \(screen)")
        #expect(screen.contains("/integrations/rest/v4"), "the banner names the v4 base URL: \(screen)")
        try await session.type("caspio.table(\"Cu")
        try await session.press("Tab")
        (ok, screen) = try await session.waitFor("caspio.table(\"Customers")
        #expect(ok, "a table name completed on v4: \(screen)")
        try await session.press("C-c")
        try await waitForPrompt(session)
    }

    @Test func sandboxFlagPointsTheConsoleAtAnInProcessSandbox() async throws {
        let result = try await caspio(["repl", "--sandbox"], stdin: "caspio.table('Customers'):count()\ncaspio.config.base_url:match('^http://127%.0%.0%.1:%d+/') ~= nil\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "250\ntrue\n")
    }

    /// Webhook secrets and passwords the session handled print as <redacted>.
    @Test func secretsPrintRedacted() async throws {
        let input = """
            hook = caspio.webhooks.create({Name = "h", OutgoingUrls = {"http://127.0.0.1:9/h"}})
            hook.Secret
            caspio.table("Staff"):set_password("Password", {PK_ID = 1}, "s3cret-value")
            "the password is s3cret-value"
            #hook.Secret

            """
        let result = try await caspio(["repl", "--sandbox"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "\"<redacted>\"\n1\n\"the password is <redacted>\"\n32\n", "\(result.stdout)")
    }

    /// A REPL whose terminal goes away (SIGHUP ignored, as under nohup) ends with 0 at the end
    /// of its input: it crashed writing to the hung-up terminal.
    @Test func aTerminalThatHangsUpEndsTheREPL() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let environment = [
            "HOME": directory.path, "NO_COLOR": "1", "TERM": "xterm", "CASPIO_CONFIG": directory.path + "/none.toml",
            "SWIFT_BACKTRACE": "enable=no",
        ]
        let status = directory.appendingPathComponent("status")
        do {
            let session = try await TmuxSession(
                ["/bin/sh", "-c", "trap '' HUP; \"$0\" repl --sandbox; echo $? > status", caspioBinary.path], environment: environment,
                directory: directory)
            let (ok, screen) = try await session.waitFor("Type :help")
            #expect(ok, "banner: \(screen)")
        }  // The session ends here: its tmux server is killed, the terminal hangs up.
        let deadline = Date().addingTimeInterval(30)
        while !FileManager.default.fileExists(atPath: status.path), Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        let ended = try? String(contentsOf: status, encoding: .utf8)
        #expect(ended == "0\n", "exit status \(ended ?? "none within 30 s")")
    }

    /// A record shows its fields in its table's order (Staff: PK_ID, Name, Email, Joined, …),
    /// in the REPL and through caspio.inspect; a plain table's keys are sorted.
    @Test func aRecordShowsItsFieldsInTheTablesOrder() async throws {
        let input = """
            caspio.table("Staff"):first()
            print(caspio.inspect(caspio.table("Staff"):all({limit = 1})[1]))
            local copy = {}; for k, v in pairs(caspio.table("Staff"):first()) do copy[k] = v end; print(caspio.inspect(copy))

            """
        let result = try await caspio(["repl", "--sandbox"], stdin: input)
        #expect(result.status == 0, "\(result.stderr)")
        let shown = result.stdout.components(separatedBy: "}\n{")
        #expect(shown.count == 3, "\(result.stdout)")
        func order(_ text: String) -> [String] {
            ["PK_ID", "Name", "Email", "Joined"].sorted { (text.range(of: $0 + " =")?.lowerBound ?? text.endIndex) < (text.range(of: $1 + " =")?.lowerBound ?? text.endIndex) }
        }
        for record in shown.prefix(2) { #expect(order(record) == ["PK_ID", "Name", "Email", "Joined"], "\(record)") }
        #expect(order(shown.last ?? "") == ["Email", "Joined", "Name", "PK_ID"], "\(result.stdout)")
    }

    /// A list of records shows as caspio.print_table shows it: aligned, in the table's order.
    @Test func aListOfRecordsShowsAsATable() async throws {
        let result = try await caspio(["repl", "--sandbox"], stdin: "caspio.table('Products'):all({limit = 2})\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "PK_ID  Name      Price\n-----  --------  -----\n1      Notebook  3.5\n2      Pencil    0.8\n(2 rows)\n", "\(result.stdout)")
    }

    @Test func pipedInput() async throws {
        let script = try await caspio([], stdin: "print(1)\n")
        #expect(script.status == 0 && script.stdout == "1\n", "caspio alone runs a pipe as a script: \(script.stderr)")

        let piped = try await caspio(["repl"], stdin: "1 + 1\nfunction f()\n  return 3\nend\nf()\nerror('x')\n{ b = 1, a = { 1, 2 } }\n:quit\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout == "2\n3\n{ a = { 1, 2 }, b = 1 }\n")
        #expect(piped.stderr.contains("stdin:1: x"))
    }
}
