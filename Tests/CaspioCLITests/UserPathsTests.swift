import CaspioTestSupport
import Foundation
import Glibc
import Testing

/// A cron job has no XDG_RUNTIME_DIR and a login shell has one; both runs of one script must
/// take the same lock and keep the same state, all under $HOME (not the user database's home).
@Suite struct UserPathsTests {
    /// `env -i`: only what is named here reaches caspio, as under cron.
    static func bare(_ arguments: [String], _ environment: [String: String]) async throws -> ProcessResult {
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try await runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["-i"] + assignments + [caspioBinary.path] + arguments, seconds: 60)
    }

    @Test func aCronRunAndALoginRunTakeTheSameLockAndState() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let home = directory.path + "/home"
        #expect(home != NSHomeDirectory())
        let script = try write(#"caspio.state.set("n", (caspio.state.get("n") or 0) + 1) print(caspio.state.get("n"))"#,
                               to: directory.appendingPathComponent("job.lua")).path
        let cron = ["HOME": home, "PATH": "/usr/bin:/bin"]
        var login = cron
        login["XDG_RUNTIME_DIR"] = directory.path + "/run"

        let first = try await Self.bare(["run", "--lock", "--summary", script], login)
        #expect(first.status == 0 && first.stdout == "1\n", "\(first.stderr)")
        let locks = home + "/.local/state/caspio/locks/job.lua-"
        let line = try #require(first.stderr.split(separator: "\n").first { $0.contains("held the lock") }, "\(first.stderr)")
        #expect(line.contains("held the lock \(locks)"), "\(line)")
        #expect(line.contains("caspio.state \(home)/.local/state/caspio/state/job.lua-"), "\(line)")
        let second = try await Self.bare(["run", "--lock", "--summary", script], cron)
        #expect(second.status == 0 && second.stdout == "2\n", "the cron run kept its own state: \(second.stderr)")
        #expect(second.stderr.contains(String(line)), "\(second.stderr)")

        // Held by someone else, the lock stops a run from either environment.
        let lockPath = String(line.split(separator: " ")[5].dropLast())
        let held = open(lockPath, O_RDWR | O_CLOEXEC)
        defer { close(held) }
        #expect(held >= 0 && flock(held, LOCK_EX | LOCK_NB) == 0, "\(lockPath)")
        for environment in [cron, login] {
            let refused = try await Self.bare(["run", "--lock", script], environment)
            #expect(refused.status == 75, "\(refused.stderr)")
            #expect(refused.stderr == "caspio: another run holds the lock \(lockPath); not starting (exit 75)\n", "\(refused.stderr)")
        }
    }

    @Test func doctorPrintsWhereLocksAndStateAre() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let home = directory.path + "/home"
        let account = ["HOME": home, "CASPIO_BASE_URL": "http://127.0.0.1:9", "CASPIO_CLIENT_ID": "id", "CASPIO_CLIENT_SECRET": "s"]
        let doctor = try await Self.bare(["doctor"], account)
        #expect(doctor.stdout.contains("files           locks \(home)/.local/state/caspio/locks/SCRIPT-HASH.lock, caspio.state \(home)/.local/state/caspio/state/SCRIPT-HASH.json"), "\(doctor.stdout)")
    }
}
