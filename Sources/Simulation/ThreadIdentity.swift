#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The calling thread's identity as a non-zero integer, for telling the driver thread from any other.
///
/// Why `pthread_self`: the standard library has no thread identity, and the
/// escape check needs one on every enqueue, so it must cost a register read, not
/// a lookup.
@inline(__always)
func currentThreadID() -> UInt {
    #if canImport(Darwin)
    return UInt(bitPattern: pthread_self())
    #else
    return UInt(pthread_self())
    #endif
}

/// Blocks the calling thread for about `nanoseconds` of wall time.
///
/// Used only by the driver while it classifies a stall (see
/// ``SimulationLimits/foreignWorkGrace``); nothing in a simulated run waits on
/// the wall clock otherwise.
func pauseThread(nanoseconds: UInt64) {
    var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 { request = remaining }
}

/// The monotonic wall clock in nanoseconds (driver bookkeeping only: the stall grace period).
func wallNanoseconds() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
}

/// Runs `work` on a new detached thread.
///
/// For ``SimulationExecutor/runOnDedicatedThread(seed:strategy:limits:_:)``: the
/// driver blocks its thread for the whole run, which must not be one of the
/// cooperative pool's few threads when other async work (a test runner, a
/// foreign task the run is waiting to classify) needs them.
func startThread(_ work: @escaping @Sendable () -> Void) {
    final class Box {
        let work: @Sendable () -> Void
        init(_ work: @escaping @Sendable () -> Void) { self.work = work }
    }
    let context = Unmanaged.passRetained(Box(work)).toOpaque()
    #if canImport(Darwin)
    var thread: pthread_t?
    #else
    var thread = pthread_t()
    #endif
    let status = pthread_create(&thread, nil, { raw in
        #if canImport(Darwin)
        let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
        #else
        let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
        #endif
        box.work()
        return nil
    }, context)
    precondition(status == 0, "pthread_create failed with \(status)")
    #if canImport(Darwin)
    pthread_detach(thread!)
    #else
    pthread_detach(thread)
    #endif
}
