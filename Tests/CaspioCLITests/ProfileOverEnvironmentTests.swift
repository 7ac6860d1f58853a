import CaspioTestSupport
import Foundation
import Testing

/// Variables left in a shell (say, `caspio sandbox`'s exports) must not decide the account of
/// a command that names a profile: the profile runs, one line says what was ignored, and
/// `caspio doctor` says where each setting came from.
@Suite(.serialized) struct ProfileOverEnvironmentTests {
    static let leftovers = [
        "CASPIO_BASE_URL": "http://127.0.0.1:9/integrations/rest/v3", "CASPIO_CLIENT_ID": "left-over",
        "CASPIO_CLIENT_SECRET": "left-over-secret", "CASPIO_RATE": "5",
    ]

    func run(_ sandbox: ProfileSandbox, _ arguments: [String]) async throws -> ProcessResult {
        var environment = sandbox.environment
        environment.merge(Self.leftovers) { $1 }
        let process = try SpawnedProcess(
            caspioBinary, arguments, input: .none, environment: AuthSandbox.processEnvironment(environment),
            replacingEnvironment: true, seconds: 60)
        return try await process.finish()
    }

    @Test func aNamedProfileWinsOverAccountVariables() async throws {
        let sandbox = try await ProfileSandbox()
        try DoctorCommandTests().writeProfile(sandbox)
        let doctor = try await run(sandbox, ["doctor", "--profile", "prod"])
        #expect(doctor.status == 0, "\(doctor.stdout)\(doctor.stderr)")
        #expect(
            doctor.stderr == "caspio: --profile prod: ignoring CASPIO_BASE_URL, CASPIO_CLIENT_ID, CASPIO_CLIENT_SECRET in the environment\n",
            "\(doctor.stderr)")
        let lines = DoctorCommandTests.lines(doctor.stdout)
        #expect(lines["account"]?.detail == "profile prod: \(sandbox.endpoint.baseURL), client id \(sandbox.fake.settings.clientID)", "\(doctor.stdout)")
        let settings = try #require(lines["settings"]?.detail, "\(doctor.stdout)")
        let profile = "in profile 'prod' of \(sandbox.configPath)"
        for origin in ["base_url from base_url \(profile)", "client_id from client_id \(profile)",
                       "client_secret from client_secret_file \(profile)", "rate from CASPIO_RATE in the environment",
                       "token_url from derived from the base URL"] {
            #expect(settings.contains(origin), "\(origin): \(settings)")
        }
        #expect(!doctor.stdout.contains("left-over"), "\(doctor.stdout)")

        // The default profile, not named: the environment is above it, as documented, and silent.
        let unnamed = try await run(sandbox, ["run", "-e", "print(caspio.config.base_url)"])
        #expect(unnamed.stdout == Self.leftovers["CASPIO_BASE_URL"]! + "\n" && unnamed.stderr.isEmpty, "\(unnamed.stderr)")
        let named = try await run(sandbox, ["run", "--profile", "prod", "-e", "print(caspio.config.base_url)"])
        #expect(named.stdout == sandbox.endpoint.baseURL + "\n", "\(named.stderr)")
    }
}
