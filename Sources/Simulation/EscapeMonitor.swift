import Synchronization

/// Which thread drives the current run, its virtual time, and the escapes seen during it; shared by the executor and its clock.
///
/// Why a separate object: the clock has to report a sleep from a foreign thread
/// to the executor, and the executor owns the clock; sharing this small monitor
/// avoids a reference cycle and keeps both checks identical.
final class EscapeMonitor: Sendable {
    /// The driver thread's identity while a run is active, 0 otherwise.
    let driverThread = Atomic<UInt>(0)
    /// The run's virtual time in nanoseconds (``VirtualClock/now`` reads it; only the driver writes it).
    let virtualTime: Atomic<UInt64>
    /// How many escapes have been recorded this run (read on every step without the lock).
    let escapeCount = Atomic<Int>(0)
    private let escapes = SimulationLock<[SimulationEscape]>([])

    init(origin: UInt64) {
        virtualTime = Atomic(origin)
    }

    /// Whether the calling thread is not the driver of an active run.
    @inline(__always)
    func callerIsForeign() -> Bool {
        let driver = driverThread.load(ordering: .acquiring)
        return driver != 0 && driver != currentThreadID()
    }

    /// Records an escape and returns it.
    @discardableResult
    func record(_ what: String, virtualTime: UInt64) -> SimulationEscape {
        let escape = SimulationEscape(what: what, virtualTime: virtualTime)
        escapes.withLock { $0.append(escape) }
        escapeCount.add(1, ordering: .releasing)
        return escape
    }

    /// Records a job sent to the global executor from the driver thread (see ``GlobalEnqueueWatch``).
    func recordGlobalEnqueue(job: UnsafeMutableRawPointer) {
        let taskID = runtimeTaskID(unsafeBitCast(job, to: UnownedJob.self))
        record(
            "runtime task \(taskID) was sent to the global executor from inside the simulation: "
                + "an unstructured Task {} or Task.detached (neither inherits the executor; use a task group "
                + "or SimulationExecutor.spawn), or a continuation of a task outside the simulation resumed",
            virtualTime: virtualTime.load(ordering: .relaxed))
    }

    /// The escapes recorded so far.
    func recorded() -> [SimulationEscape] { escapes.withLock { $0 } }

    /// Forgets the escapes (a new run starts).
    func reset() {
        escapes.withLock { $0.removeAll() }
        escapeCount.store(0, ordering: .releasing)
    }
}
