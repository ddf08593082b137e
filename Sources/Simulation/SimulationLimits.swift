/// Bounds on one simulated run, so that a livelock or a stall ends the run with an error instead of hanging it.
public struct SimulationLimits: Sendable, Hashable {
    /// The most jobs a run may execute; more fails it with ``SimulationError/stepLimitExceeded(steps:)``.
    ///
    /// Catches livelocks that keep the executor busy without virtual time moving
    /// (two tasks yielding to each other forever).
    public var maxSteps: UInt64
    /// The most virtual time a run may cover, in nanoseconds from the clock's origin;
    /// a timer beyond it fails the run with ``SimulationError/virtualTimeLimitExceeded(limit:)``.
    ///
    /// Catches livelocks that advance time (a retry loop that never succeeds).
    public var maxVirtualTime: UInt64
    /// How long, in wall-clock time, the driver waits for work from other threads when
    /// nothing in the simulation can run, before it reports a stall.
    ///
    /// Why wait at all: a run that stalls because its body awaits something a foreign
    /// thread will resume (a `DispatchQueue`, an unstructured `Task {}` on the global
    /// executor, a real socket) is better reported as the escape it is; that foreign
    /// work arrives within microseconds on an idle machine. The wait happens only on
    /// the failure path, never while the run makes progress; zero reports a stall at once.
    public var foreignWorkGrace: Duration
    /// How many recent events a trace keeps for printing (its digest covers all of them).
    public var traceCapacity: Int

    /// Creates limits; the defaults suit a scenario of millions of steps.
    public init(
        maxSteps: UInt64 = 1_000_000_000,
        maxVirtualTime: UInt64 = 365 * 24 * 3_600 * 1_000_000_000,
        foreignWorkGrace: Duration = .milliseconds(100),
        traceCapacity: Int = 10_000
    ) {
        self.maxSteps = maxSteps
        self.maxVirtualTime = maxVirtualTime
        self.foreignWorkGrace = foreignWorkGrace
        self.traceCapacity = traceCapacity
    }
}
