import ArgumentParser
import CaspioClient
import CaspioSandbox
import Dispatch
import Foundation
import Glibc
import LuaBridge

/// `caspio sandbox`: a Caspio-compatible server on 127.0.0.1 for trying scripts without an
/// account. Serves until SIGINT or SIGTERM.
struct SandboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Serve a Caspio-compatible sandbox on 127.0.0.1 (OAuth, records, tables, files).",
        usage: "caspio sandbox [--port N] [--data FILE] [OPTIONS]",
        discussion: """
            Prints the environment variables that point scripts at it, then serves until interrupted (SIGINT or SIGTERM). Data lives in memory unless --data names a SQLite file; the demo tables (Customers, Orders, Products) are loaded into an empty database unless --seed is given. The client id and secret it prints are the sandbox's own demo credentials.
            """
    )

    @Option(help: "Port to listen on (default: a free one).")
    var port: Int = 0

    @Option(help: "SQLite file that keeps the data between runs (default: in memory).")
    var data: String?

    @Option(help: "JSON file of tables to load instead of the demo data.")
    var seed: String?

    @Option(help: "Access token lifetime, e.g. 5s, 10m, 1h (default 86399s).")
    var tokenTTL: String?

    @Option(help: "Refresh token lifetime (default 60d).")
    var refreshTTL: String?

    @Option(help: "Delay every resource answer by MS milliseconds.")
    var latency: Int = 0

    @Option(help: "Share of resource requests answered 503 (see --fail-retry-after), 0 to 1.")
    var failRate: Double = 0

    @Option(help: ArgumentHelp("The Retry-After of --fail-rate's 503s in seconds (default 1: the client pauses its whole run), or none for bare 503s (retried one by one, as random failures are).", valueName: "SECONDS|none"))
    var failRetryAfter: String = "1"

    @Option(help: ArgumentHelp("Seed of --fail-rate's draws: the same seed fails the same requests, so a chaotic run replays (default 1).", valueName: "N"))
    var chaosSeed: String?

    @Option(help: "Revoke every access token after each N resource requests.")
    var revokeEvery: Int = 0

    @Flag(help: "Answer unordered reads in a stable order (Caspio shuffles them on every request, and so does the sandbox by default).")
    var stableOrder = false

    @Option(help: ArgumentHelp("Caspio's rate limit, REQUESTS/WINDOW answered 429 beyond (default \(SandboxSettings.caspioRateLimit)), or off.", valueName: "SPEC"))
    var rateLimit: String = SandboxSettings.caspioRateLimit

    @Option(help: ArgumentHelp("More than N requests in one second lock the whole account for 5 s with 429, as Caspio's limiter does (default: off; Caspio does not publish its N).", valueName: "N"))
    var burstLimit: Int?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        guard (0...1).contains(failRate) else { throw ValidationError("--fail-rate must be from 0 to 1") }
        guard latency >= 0, revokeEvery >= 0 else { throw ValidationError("--latency and --revoke-every must be 0 or more") }
        _ = try settings()
    }

    func settings() throws -> SandboxSettings {
        var settings = SandboxSettings.caspioLike
        settings.port = port
        settings.dataPath = data
        settings.seedPath = seed
        settings.latencyMilliseconds = latency
        settings.failRate = failRate
        settings.failRetryAfter = try Self.retryAfter(failRetryAfter)
        settings.revokeEvery = revokeEvery
        if let chaosSeed {
            guard let seed = UInt64(chaosSeed) else {
                throw ValidationError("--chaos-seed '\(chaosSeed)' is not a whole number from 0 to \(UInt64.max)")
            }
            // It seeds nothing else: without failures to draw it would be silently ignored.
            guard failRate > 0 else { throw ValidationError("--chaos-seed seeds the draws of --fail-rate: give --fail-rate too (e.g. --fail-rate 0.05)") }
            settings.chaosSeed = seed
        }
        settings.shuffleUnordered = !stableOrder
        settings.rateLimit = try Self.rateLimit(rateLimit)
        if let burstLimit {
            guard burstLimit > 0 else { throw ValidationError("--burst-limit must be a number of requests above 0") }
            settings.rateLimit = settings.rateLimit ?? SandboxSettings.RateLimit(requests: .max, window: 1)
            settings.rateLimit?.burstPerSecond = burstLimit
        }
        if let tokenTTL {
            guard let seconds = SandboxSettings.duration(tokenTTL) else { throw ValidationError("--token-ttl '\(tokenTTL)' is not a duration such as 5s, 10m or 1h") }
            settings.tokenTTL = seconds
        }
        if let refreshTTL {
            guard let seconds = SandboxSettings.duration(refreshTTL) else { throw ValidationError("--refresh-ttl '\(refreshTTL)' is not a duration such as 5s, 10m or 1h") }
            settings.refreshTTL = seconds
        }
        return settings
    }

    func run() throws {
        // Before anything starts: a signal from now on is remembered, and stops the sandbox
        // however early it comes (even while the listener is still being set up).
        RunStop.armSignals(whenIdle: .record)
        let running: RunningSandbox
        do { running = try InProcessSandbox.start(try settings()) } catch {
            printError("sandbox: " + Self.explain(error, port: port))
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        Thread {
            // The server ended without being asked to: say so instead of serving nothing.
            let failure = (try? blocking { try await running.wait() }) == nil ? "failed" : "ended"
            if !RunStop.isRequested {
                printError("sandbox: the server \(failure) on its own")
                Glibc.exit(1)
            }
        }.start()
        var text = running.environment.map { "export \($0)=\($1)\n" }.joined()
        text += "# caspio sandbox on \(running.origin): paste the lines above into a shell, then run scripts; Ctrl-C stops it.\n"
        // Written at once and unbuffered, so that a reader of a pipe sees it while we serve.
        FileHandle.standardOutput.write(Data(text.utf8))
        while !RunStop.wait(seconds: 3600) {}
        // Close the listener and finish the answers in flight, but never hang on them.
        let stopped = DispatchSemaphore(value: 0)
        Task.detached {
            await running.stop()
            stopped.signal()
        }
        if stopped.wait(timeout: .now() + Self.stopGrace) == .timedOut {
            printError("sandbox: answers still in flight after \(Int(Self.stopGrace))s; stopping anyway")
        }
        printError("sandbox stopped")
        Glibc.exit(0)
    }

    static let stopGrace: Double = 5

    static func retryAfter(_ text: String) throws -> Int? {
        if text.lowercased() == "none" { return nil }
        guard let seconds = Int(text), seconds >= 0 else {
            throw ValidationError("--fail-retry-after '\(text)' is not a number of seconds (0 or more), or none for bare 503s")
        }
        return seconds
    }

    static func rateLimit(_ text: String) throws -> SandboxSettings.RateLimit? {
        if text.lowercased() == "off" { return nil }
        guard var limit = SandboxSettings.RateLimit.parse(text) else {
            throw ValidationError("--rate-limit '\(text)' is not REQUESTS/WINDOW such as 2000/300s, or off")
        }
        limit.burstPerSecond = .max  // --burst-limit sets it
        return limit
    }

    /// A start failure in the user's terms: which port, and what to do.
    static func explain(_ error: Error, port: Int) -> String {
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("errno: 98") {
            return "port \(port) on 127.0.0.1 is already in use (another caspio sandbox?); choose another with --port, or leave --port out for a free one"
        }
        return text
    }
}
