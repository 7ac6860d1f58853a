import CaspioTestSupport
import Foundation
import Testing

/// The command line as people type it: help everywhere, caspio's own options on either side
/// of the subcommand, help wrapped once at the terminal's width (completion scripts: CaspioCommandsTests).
@Suite struct CommandLineTests {
    static let subcommands = ["run", "repl", "auth", "request", "sandbox"]

    @Test(arguments: subcommands)
    func everySubcommandHasHelp(subcommand: String) async throws {
        for words in [[subcommand, "--help"], [subcommand, "-h"], ["help", subcommand]] {
            let result = try await caspio(words, environment: ["COLUMNS": "100"])
            #expect(result.status == 0, "\(words): \(result.stderr)")
            #expect(result.stdout.hasPrefix("OVERVIEW: "), "\(words): \(result.stdout)")
            #expect(result.stdout.contains("USAGE: caspio "), "\(words): \(result.stdout)")
            #expect(result.stderr.isEmpty, "\(words): \(result.stderr)")
        }
    }

    @Test func globalOptionsBeforeOrAfterTheSubcommand() async throws {
        let directory = try temporaryDirectory()
        let script = try write("print('ran', ...)", to: directory.appendingPathComponent("x.lua"))
        let environment = ["CASPIO_CONFIG": directory.path + "/none.toml", "HOME": directory.path]
        let spellings: [[String]] = [
            ["-v", "run", script.path, "a"], ["run", "-v", script.path, "a"], ["-v", script.path, "a"],
            ["--profile", "p", "-v", "run", script.path, "a"], ["--log-level=info", "run", script.path, "a"],
            ["run", "--log-format", "json", script.path, "a"],
        ]
        for words in spellings {
            let result = try await caspio(words, environment: environment)
            #expect(result.status == 0, "\(words): \(result.stderr)")
            #expect(result.stdout == "ran\ta\n", "\(words)")
        }
        // The script's own arguments are its business, even when they look like options.
        let passed = try await caspio(["-v", "run", script.path, "--help", "-v", "run"], environment: environment)
        #expect(passed.stdout == "ran\t--help\t-v\trun\n", "\(passed.stderr)")
        // Only caspio's own options move: `-e CODE run` runs CODE, then a script named run (lua5.4).
        let chunk = try await caspio(["-e", "print(1)", "run"], environment: environment, directory: directory)
        #expect(chunk.stdout == "1\n")
        #expect(chunk.status == 1 && chunk.stderr.contains("cannot open run"), "\(chunk.stderr)")
        // --sandbox is one of them.
        let sandbox = try await caspio(["--sandbox", "run", "-e", "print(caspio.table('Orders'):count())"], environment: environment)
        #expect(sandbox.status == 0, "\(sandbox.stderr)")
        #expect(sandbox.stdout == "500\n")
    }

    @Test(arguments: [60, 100, 200])
    func helpWrapsOnceAtTheTerminalWidth(columns: Int) async throws {
        for words in [["--help"]] + Self.subcommands.map({ [$0, "--help"] }) {
            let result = try await caspio(words, environment: ["COLUMNS": "\(columns)"])
            #expect(result.status == 0)
            for line in result.stdout.split(separator: "\n") {
                #expect(line.count <= columns, "\(words) at \(columns) columns: \(line)")
            }
        }
        // Wide enough, a paragraph is one line: no line breaks of our own inside sentences.
        if columns == 200 {
            let help = try await caspio(["--help"], environment: ["COLUMNS": "400"]).stdout
            let line = help.split(separator: "\n").first { $0.hasPrefix("caspio SCRIPT [ARGS...] runs") }
            #expect(line?.hasSuffix("it runs that as a script.") == true, "\(help)")
        }
    }
}

/// Signals are armed before anything is printed or started: a SIGINT or SIGTERM sent at once
/// after the first output is acted on every time (the sandbox's own case is in its tests).
@Suite struct SignalAtOnceTests {
    static let attempts = 15

    static var environment: [String: String] {
        ["CASPIO_CONFIG": "/nonexistent/caspio.toml", "CASPIO_TOKEN_CACHE": "off"]
    }

    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func runStops(signal: Int32, status: Int32) async throws {
        for attempt in 1...Self.attempts {
            let process = try SpawnedProcess(
                caspioBinary, ["run", "-e", "io.write('ready\\n') io.flush() while true do end"],
                environment: Self.environment, seconds: 20)
            try await process.waitForOutput("ready\n")
            process.signal(signal)
            let result = try await process.finish()
            #expect(result.status == status, "attempt \(attempt): \(result.stderr)")
        }
    }

    /// With --sandbox the script starts after a server does: a signal while it starts, or at
    /// once after the script's first output, still stops the run.
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func runWithSandboxStops(signal: Int32, status: Int32) async throws {
        for attempt in 1...Self.attempts {
            let process = try SpawnedProcess(
                caspioBinary, ["run", "--sandbox", "-e", "io.write('ready\\n') io.flush() while true do caspio.sleep(1) end"],
                environment: Self.environment, seconds: 20)
            try await process.waitForOutput("ready\n")
            process.signal(signal)
            let result = try await process.finish()
            #expect(result.status == status, "attempt \(attempt): \(result.stderr)")
        }
        let early = try SpawnedProcess(caspioBinary, ["run", "--sandbox", "-e", "while true do end"], environment: Self.environment, seconds: 20)
        early.signal(signal)
        let result = try await early.finish()
        // Caught before the handlers were armed the process dies of the signal; after, it exits.
        #expect(result.status == status || result.status == signal, "\(result.stderr)")
    }

    /// In the REPL, Ctrl-C during an evaluation stops that evaluation only, and between
    /// evaluations ends the REPL (130); SIGTERM ends it either way (143).
    @Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
    func replStops(signal: Int32, status: Int32) async throws {
        for attempt in 1...Self.attempts {
            let process = try SpawnedProcess(caspioBinary, ["repl"], input: .open, environment: Self.environment, seconds: 20)
            process.send("print('ready')\n")
            try await process.waitForOutput("ready\n")
            process.signal(signal)
            if signal == SIGINT {
                // Caught by the evaluation still finishing, the REPL goes on: end its input.
                process.send("print('after')\n")
                process.closeInput()
            }
            let result = try await process.finish()
            if result.status == 0 {
                #expect(signal == SIGINT && result.stderr.contains("interrupted!"), "attempt \(attempt): \(result.stderr)")
            } else {
                #expect(result.status == status, "attempt \(attempt): \(result.stderr)")
            }
        }
        let busy = try SpawnedProcess(caspioBinary, ["repl"], input: .open, environment: Self.environment, seconds: 20)
        busy.send("print('busy') io.stdout:flush() while true do end\n")
        try await busy.waitForOutput("busy\n")
        busy.signal(signal)
        if signal == SIGINT {
            try await busy.waitForOutput("interrupted!", onStderr: true)
            busy.send("print('still here')\n")
            try await busy.waitForOutput("still here\n")
            busy.closeInput()
        }
        let result = try await busy.finish()
        #expect(result.status == (signal == SIGINT ? 0 : status), "\(result.stderr)")
    }
}
