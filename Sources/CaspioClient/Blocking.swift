#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch
import NIOConcurrencyHelpers
import NIOPosix

/// Waits for async work from synchronous code (a command, the Lua thread, a store call at
/// start), with the body's own error type. Never from an event loop thread, which the work
/// itself may need.
public func blocking<T: Sendable, E: Error>(_ body: @escaping @Sendable () async throws(E) -> T) throws(E) -> T {
    precondition(MultiThreadedEventLoopGroup.currentEventLoop == nil, "blocking on an event loop thread")
    let done = DispatchSemaphore(value: 0)
    let result = NIOLockedValueBox<Result<T, E>?>(nil)
    Task.detached {
        let outcome: Result<T, E>
        do throws(E) { outcome = .success(try await body()) } catch { outcome = .failure(error) }
        result.withLockedValue { $0 = outcome }
        done.signal()
    }
    done.wait()
    return try result.withLockedValue { $0! }.get()
}
