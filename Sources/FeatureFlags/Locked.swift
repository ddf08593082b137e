#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// State behind a `pthread_mutex_t`: the core's one kind of lock, shared with
/// the package's other targets (`package` access: not part of the public API).
///
/// Why not `Synchronization.Mutex`: on Linux its contended path waits in an
/// uninstrumented futex call, so ThreadSanitizer cannot see the hand-over and
/// reports every contended critical section as a race (checked with a
/// four-thread counter: one report per run). ThreadSanitizer intercepts
/// `pthread_mutex_lock`, so races it reports here are real. The uncontended
/// cost is the same compare-and-swap. Mutex and state share one allocation
/// (`ManagedBuffer`, as NIO's lock storage does), and the state is reached
/// through a pointer, so no dynamic exclusivity check runs per access.
package final class Locked<State>: @unchecked Sendable {
    private final class Storage: ManagedBuffer<State, pthread_mutex_t> {
        // The header (the state) is destroyed by ManagedBuffer itself; the
        // element (the mutex) is ours to destroy.
        deinit {
            _ = withUnsafeMutablePointerToElements { pthread_mutex_destroy($0) }
        }
    }

    private let storage: Storage

    /// Creates a lock guarding `state`.
    package init(_ state: State) {
        storage = Storage.create(minimumCapacity: 1) { _ in state } as! Storage
        storage.withUnsafeMutablePointerToElements { mutex in
            mutex.initialize(to: pthread_mutex_t())
            let result = pthread_mutex_init(mutex, nil)
            precondition(result == 0, "pthread_mutex_init failed: \(result)")
        }
    }

    /// Runs `body` with exclusive access to the state.
    @inline(__always)
    package func withLock<Result, E: Error>(_ body: (inout State) throws(E) -> Result) throws(E) -> Result {
        try storage.withUnsafeMutablePointers { (state, mutex) throws(E) -> Result in
            pthread_mutex_lock(mutex)
            defer { pthread_mutex_unlock(mutex) }
            return try body(&state.pointee)
        }
    }

    /// Runs `body` if the lock is free right now; `nil` without waiting otherwise.
    @inline(__always)
    package func withLockIfAvailable<Result, E: Error>(_ body: (inout State) throws(E) -> Result) throws(E) -> Result? {
        try storage.withUnsafeMutablePointers { (state, mutex) throws(E) -> Result? in
            guard pthread_mutex_trylock(mutex) == 0 else { return nil }
            defer { pthread_mutex_unlock(mutex) }
            return try body(&state.pointee)
        }
    }
}
