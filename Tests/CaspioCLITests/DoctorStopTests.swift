import CaspioTestSupport
import Foundation
import Glibc
import Testing

/// `caspio doctor` stops as every command does while its PostgreSQL store never answers: a
/// SIGTERM or Ctrl-C abandons the store check and it exits 143 or 130 within 2 s.
@Suite struct DoctorStopTests {
    /// A TCP listener on 127.0.0.1 that accepts connections and never says a word: a store
    /// whose connection hangs. Accepted connections are counted and kept open until `close`.
    final class SilentListener: @unchecked Sendable {
        let port: Int
        private let socket: Int32
        private let lock = NSLock()
        private var accepted: [Int32] = []

        init() throws {
            let fd = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = 0
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && listen(fd, 8) == 0 && getsockname(fd, $0, &length) == 0 }
            }
            guard bound else { throw POSIXError(.EADDRINUSE) }
            socket = fd
            port = Int(UInt16(bigEndian: address.sin_port))
            Thread {
                while true {
                    let connection = accept(fd, nil, nil)
                    guard connection >= 0 else { return }  // closed
                    self.lock.withLock { self.accepted.append(connection) }
                }
            }.start()
        }

        var connections: Int { lock.withLock { accepted.count } }

        func close() {
            shutdown(socket, Int32(SHUT_RDWR))
            Glibc.close(socket)
            lock.withLock { accepted.forEach { _ = Glibc.close($0) } }
        }
    }

    @Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
    func aSignalStopsTheStoreCheckOfAHungConnection(signal: Int32, status: Int32) async throws {
        let fake = try await EmulatedCaspio.start()
        let listener = try SilentListener()
        defer { listener.close() }
        var box = try ScriptSandbox("", fake: fake)
        box.environment["CASPIO_STORE"] = "postgres://caspio:secret@127.0.0.1:\(listener.port)/caspio?sslmode=disable&connect_timeout=60"
        let process = try SpawnedProcess(caspioBinary, ["doctor"], environment: box.environment, directory: box.directory, seconds: 60)
        #expect(await waitFor { listener.connections > 0 })
        let sent = Date()
        process.signal(signal)
        let result = try await process.finish()
        #expect(Date().timeIntervalSince(sent) < 2, "doctor outlived the signal by \(Date().timeIntervalSince(sent))s")
        #expect(result.status == status, "\(result.stdout)\(result.stderr)")
        #expect(!result.stdout.contains("network"), "no check after the stop: \(result.stdout)")
    }
}
