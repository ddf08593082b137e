#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// State behind a `pthread_mutex_t`, the lock of this target (`package` access: its tests use it too).
///
/// Why not `Synchronization.Mutex`: on Linux its contended path waits in a futex
/// call that ThreadSanitizer does not intercept, so every contended hand-over is
/// reported as a race (seen here when a foreign thread enqueues during a run;
/// the core's `Locked` exists for the same reason but is not importable from
/// this dependency-free target). ThreadSanitizer intercepts `pthread_mutex_lock`,
/// so what it reports here is real. Mutex and state share one allocation and
/// the state is reached through a pointer, so no dynamic exclusivity check runs
/// on the executor's per-step path.
package final class SimulationLock<State>: @unchecked Sendable {
    private final class Storage: ManagedBuffer<State, pthread_mutex_t> {
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
}
