import FeatureFlags
import Simulation

/// The engine's time: the machine's monotonic clock in realtime runs, the
/// simulation's virtual clock in simulated ones.
///
/// Why one value passed everywhere: the engine reads time on every check (for
/// latency and TTL windows) and waits in a few places (arrivals, parked
/// connections, slow client starts); with both behind this enum a simulated run
/// is the same engine on a different clock (ARCHITECTURE.md, "Two runtimes,
/// one engine"), and a realtime run pays one predictable branch.
package enum EngineClock: Sendable {
    /// `CLOCK_MONOTONIC` and `Task.sleep`.
    case realtime
    /// The simulation's virtual clock; waits suspend on it, and notes go into the run's trace.
    case simulated(SimulationExecutor)

    /// Now, in nanoseconds.
    @inline(__always)
    package func now() -> UInt64 {
        switch self {
        case .realtime: MonotonicTime.preciseNanoseconds()
        case .simulated(let executor): executor.clock.now
        }
    }

    /// Suspends until `deadline` (nanoseconds on this clock); throws if the task is cancelled.
    package func sleep(until deadline: UInt64) async throws {
        switch self {
        case .realtime:
            let now = MonotonicTime.preciseNanoseconds()
            if deadline > now { try await Task.sleep(for: .nanoseconds(Int64(clamping: deadline &- now))) }
        case .simulated(let executor):
            try await executor.clock.sleep(until: deadline)
        }
    }

    /// Suspends for `duration`; throws if the task is cancelled.
    package func sleep(for duration: Duration) async throws {
        guard duration > .zero else { return }
        let (sum, overflow) = now().addingReportingOverflow(UInt64(duration.flagNanoseconds))
        try await sleep(until: overflow ? .max : sum)
    }

    /// Whether this is a simulated run (its trace takes notes).
    package var isSimulated: Bool {
        if case .simulated = self { return true }
        return false
    }

    /// Adds `label` to the simulation's trace (which connection did what, at what virtual time); nothing in realtime runs.
    ///
    /// An autoclosure, so a realtime run never builds the string.
    @inline(__always)
    package func note(_ label: @autoclosure () -> String) {
        if case .simulated(let executor) = self { executor.note(label()) }
    }

    /// The core's view of this clock (a ``FeatureFlags/FlagClock``).
    package var flagClock: any FlagClock {
        switch self {
        case .realtime: CoarseMonotonicClock()
        case .simulated(let executor): VirtualFlagClock(clock: executor.clock)
        }
    }

    /// Where the core runs its detached work: unstructured tasks, or tracked tasks on the simulation's executor.
    package var spawner: any FlagTaskSpawner {
        switch self {
        case .realtime: UnstructuredTaskSpawner()
        case .simulated(let executor): SimulationSpawner(executor: executor)
        }
    }
}

/// The simulation's virtual clock as the core's ``FeatureFlags/FlagClock``.
package struct VirtualFlagClock: FlagClock {
    let clock: VirtualClock

    package func now() -> FlagInstant { FlagInstant(nanoseconds: clock.now) }

    package func sleep(until deadline: FlagInstant) async throws {
        try await clock.sleep(until: deadline.nanoseconds)
    }
}

/// The core's detached work as tracked tasks on the simulation's executor, so it is scheduled by the seed too.
package struct SimulationSpawner: FlagTaskSpawner {
    let executor: SimulationExecutor

    package func spawn(_ operation: @escaping @Sendable () async -> Void) {
        executor.spawn(operation)
    }
}
