#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Catches work sent to the global concurrent executor from a simulation's thread: an unstructured `Task {}` or `Task.detached`.
///
/// Why: neither inherits the task executor preference (SE-0417), so such a task
/// runs on the cooperative pool, in parallel and in wall-clock order, and the run
/// stops being a function of its seed. Without this watch the escape would show
/// only if the simulation later awaited that task and it answered late.
///
/// How: the concurrency runtime exports `swift_task_enqueueGlobal_hook`, a
/// function pointer it calls (when set) for every global enqueue with the job and
/// the default implementation. The watch installs itself there once per process
/// (chaining to any hook already present) and, for an enqueue made on a thread
/// that drives a run (a thread-local set by the driver), records an escape and
/// then lets the job go to the global executor as usual. On other threads it
/// costs one thread-local read. The hook is declared `@convention(c)`: for two
/// pointer arguments and no result the runtime's Swift calling convention passes
/// them in the same registers on x86-64 and arm64 (a test checks that it fires).
enum GlobalEnqueueWatch {
    typealias Original = @convention(c) (UnsafeMutableRawPointer) -> Void
    typealias Hook = @convention(c) (UnsafeMutableRawPointer, Original) -> Void

    /// The thread-local key holding the driving thread's monitor (unretained; set only during a run).
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The hook that was installed before ours, if any, to chain to.
    nonisolated(unsafe) private static var previous: Hook?

    /// Installs the hook (once per process); false when the runtime does not export it.
    static let installed: Bool = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "swift_task_enqueueGlobal_hook") else { return false }
        let slot = symbol.assumingMemoryBound(to: Optional<Hook>.self)
        previous = slot.pointee
        slot.pointee = { job, original in
            if let monitor = GlobalEnqueueWatch.monitorOfThisThread() {
                monitor.recordGlobalEnqueue(job: job)
            }
            if let previous = GlobalEnqueueWatch.previous {
                previous(job, original)
            } else {
                original(job)
            }
        }
        return true
    }()

    /// Marks the calling thread as the driver of `monitor`'s run (nil: no longer).
    static func setMonitorOfThisThread(_ monitor: EscapeMonitor?) {
        _ = key
        pthread_setspecific(key, monitor.map { UnsafeRawPointer(Unmanaged.passUnretained($0).toOpaque()) })
    }

    private static func monitorOfThisThread() -> EscapeMonitor? {
        guard let raw = pthread_getspecific(key) else { return nil }
        return Unmanaged<EscapeMonitor>.fromOpaque(raw).takeUnretainedValue()
    }
}
