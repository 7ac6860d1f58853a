import CaspioClient
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// Waits for async store work from synchronous code (the Lua thread, a command's start).
/// Never from an event loop thread, which the work itself needs.
public func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws(CaspioError) -> T) throws(CaspioError) -> T {
    precondition(MultiThreadedEventLoopGroup.currentEventLoop == nil, "blocking on an event loop thread")
    let done = DispatchSemaphore(value: 0)
    let result = NIOLockedValueBox<Result<T, CaspioError>?>(nil)
    Task.detached {
        let outcome: Result<T, CaspioError>
        do throws(CaspioError) { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLockedValue { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLockedValue { $0! }.get()
}
