import CaspioClient
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The checks on this machine: is the secret kept safely, can the token cache be used privately.
struct DoctorLocalChecks {
    let configuration: ClientConfiguration
    let configPath: String

    func run(_ report: inout DoctorReport) {
        checkSecret(&report)
        checkTokenCache(&report)
    }

    private func checkSecret(_ report: inout DoctorReport) {
        guard let origin = configuration.secretOrigin else { return }
        switch origin.setting {
        case "client_secret_file":
            let path = origin.detail.map(expandingTilde) ?? ""
            if let problem = privacyProblem(path, fix: "chmod 600") {
                report.fail("secret", "client_secret_file \(path): \(problem)")
            } else {
                report.ok("secret", "client_secret_file \(path) (readable by you only)")
            }
        case "client_secret":
            if let problem = privacyProblem(configPath, fix: "chmod 600") {
                report.fail("secret", "the secret is inline in \(configPath), and \(problem)")
            } else {
                report.ok("secret", "inline in \(configPath) (readable by you only)")
            }
        case "client_secret_command":
            report.ok("secret", "client_secret_command `\(origin.detail ?? "")` printed a secret")
        case "client_secret_env":
            report.ok("secret", "from the variable \(origin.detail ?? "") (client_secret_env)")
        default:
            report.ok("secret", "\(origin.setting) in \(origin.layer)")
        }
    }

    private func checkTokenCache(_ report: inout DoctorReport) {
        guard let directory = configuration.tokenCacheDirectory else {
            report.ok("token cache", "off: every run signs in anew (and mints a refresh token: an account may hold 1,000)")
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            var parent = (directory as NSString).deletingLastPathComponent
            while !parent.isEmpty, parent != "/", !FileManager.default.fileExists(atPath: parent) {
                parent = (parent as NSString).deletingLastPathComponent
            }
            if access(parent, W_OK) == 0 {
                report.ok("token cache", "\(directory) will be created (mode 700) at the first sign-in")
            } else {
                report.fail("token cache", "cannot create \(directory): \(parent) is not writable; set CASPIO_TOKEN_CACHE to another directory")
            }
            return
        }
        guard isDirectory.boolValue else {
            report.fail("token cache", "\(directory) is not a directory; remove it or set CASPIO_TOKEN_CACHE to another directory")
            return
        }
        if let problem = privacyProblem(directory, fix: "chmod 700") {
            report.fail("token cache", "\(directory): \(problem)")
            return
        }
        let probe = directory + "/.doctor-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            report.fail("token cache", "cannot write in \(directory): \(String(cString: strerror(errno))); fix its permissions or set CASPIO_TOKEN_CACHE")
            return
        }
        close(fd)
        unlink(probe)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasSuffix(".json") {
            if let problem = privacyProblem(directory + "/" + name, fix: "chmod 600") {
                report.fail("token cache", "\(directory)/\(name): \(problem)")
                return
            }
        }
        report.ok("token cache", "\(directory) (writable, private)")
    }

    /// Why others could read `path` (group or other bits, or another owner), with the fix; nil if only its owner can.
    private func privacyProblem(_ path: String, fix: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return "cannot read it: \(String(cString: strerror(errno)))" }
        if info.st_uid != getuid() { return "it belongs to another user (uid \(info.st_uid)); use a file of your own" }
        let mode = info.st_mode & 0o777
        guard mode & 0o077 == 0 else { return "others may read it (mode \(String(mode, radix: 8))); run: \(fix) \(path)" }
        return nil
    }

    private func expandingTilde(_ path: String) -> String {
        UserDirectories().expandingTilde(path)
    }
}

/// The checks over the network, in the order a run meets them.
struct DoctorNetworkChecks {
    let client: CaspioClient

    func run(_ report: inout DoctorReport) async {
        let configuration = client.configuration
        var hosts = [configuration.tokenURL.host ?? ""]
        if let base = configuration.baseURL.host, base != hosts[0] { hosts.append(base) }
        for host in hosts {
            guard let problem = Self.resolve(host) else {
                report.ok("DNS", "\(host) resolves")
                continue
            }
            report.fail("DNS", "cannot resolve \(host): \(problem); check the account id or URL, and the network's DNS")
            return
        }
        do {
            let answer = try await client.probe(configuration.tokenURL)
            let tls = configuration.tokenURL.scheme == "https" ? "TLS verified" : "plain http on loopback"
            report.ok("token endpoint", "\(configuration.tokenURL.absoluteString) answers (HTTP \(answer.status) to a GET; \(tls))")
            checkClock(answer.header("Date"), &report)
        } catch {
            let fix = error.message.contains("TLS")
                ? "; if a proxy or a private CA signs its certificate, set ca_file in the profile or CASPIO_CA_FILE"
                : "; check the URL, proxies and firewalls"
            report.fail("token endpoint", error.description + fix)
            return
        }
        do {
            let token = try await client.tokens.validToken()
            let how = token.source == .cache ? "from the cache" : "granted (\(token.grant.rawValue))"
            let left = token.expiresAt.map { ", valid for \(Int($0.timeIntervalSinceNow) / 60) more minutes" } ?? ""
            report.ok("sign-in", "a token \(how)\(left)")
        } catch {
            report.fail("sign-in", error.description + "; check the client id and secret (caspio profile add NAME --replace)")
            return
        }
        do {
            let response = try await client.send(CaspioRequest("GET", "tables"))
            guard response.status == 200 else {
                report.fail("API", response.error.description)
                return
            }
            report.ok("API", "GET tables: HTTP 200")
        } catch {
            report.fail("API", error.description)
            return
        }
        let facts = await Self.accountFacts(client)
        checkAccountFacts(&report, facts)
    }

    /// v4's `GET me` (nil on v3, which has no such request).
    static func accountFacts(_ client: CaspioClient) async -> Result<AccountFacts, CaspioError>? {
        guard client.configuration.apiVersion == 4 else { return nil }
        do throws(CaspioError) { return .success(try await client.accountFacts()) } catch { return .failure(error) }
    }

    /// The API profile and its limit (v4), and the pace `--rate auto` would keep.
    private func checkAccountFacts(_ report: inout DoctorReport, _ facts: Result<AccountFacts, CaspioError>?) {
        let auto = client.configuration.rateFromAccount
        switch facts {
        case .success(let facts)?:
            report.ok("API profile", "GET \(AccountFacts.path): \(facts.summary)")
            if auto {
                let limit = facts.rateLimit ?? AccountFacts.publishedLimit
                report.ok("rate", "auto: paced at \(limit.text)\(facts.rateLimit == nil ? ", Caspio's published limit" : "")")
            }
        case .failure(let error)?:
            report.fail("API profile", "GET \(AccountFacts.path): \(error.description)\(auto ? "; --rate auto would pace at Caspio's published limit" : "")")
        case nil:
            if auto {
                report.ok("rate", "auto: paced at Caspio's published limit, \(AccountFacts.publishedLimit.text) (REST API v\(client.configuration.apiVersion) publishes no account's own; v4's GET me does)")
            }
        }
    }

    /// The server's clock against ours: expiry times are computed here from lifetimes given there.
    private func checkClock(_ header: String?, _ report: inout DoctorReport) {
        guard let header, let serverTime = Self.httpDate.date(from: header) else {
            report.ok("clock", "not compared (the token endpoint sent no Date header)")
            return
        }
        let skew = Int(serverTime.timeIntervalSinceNow.rounded())
        if abs(skew) > 300 {
            report.fail("clock", "this machine's clock is \(abs(skew)) s \(skew > 0 ? "behind" : "ahead of") the server's; set it right (e.g. timedatectl set-ntp true)")
        } else {
            report.ok("clock", "within \(max(abs(skew), 1)) s of the server's")
        }
    }

    nonisolated(unsafe) private static let httpDate: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter
    }()

    /// nil when `host` resolves, else getaddrinfo's reason.
    static func resolve(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let name = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        let status = getaddrinfo(name, nil, &hints, &result)
        if let result { freeaddrinfo(result) }
        return status == 0 ? nil : String(cString: gai_strerror(status))
    }
}
