/// One sighting of work that left the simulation's single thread during a run.
///
/// An escape makes a run nondeterministic (the other thread's timing now matters),
/// so the run fails with ``SimulationError/escaped(_:)`` instead of carrying on
/// with a trace that would not replay.
public struct SimulationEscape: Sendable, Hashable, CustomStringConvertible {
    /// What was seen, in words (which API, which task when known).
    public var what: String
    /// The virtual time when it was seen (nanoseconds on the run's ``VirtualClock``).
    public var virtualTime: UInt64

    /// Creates a record of an escape.
    public init(what: String, virtualTime: UInt64) {
        self.what = what
        self.virtualTime = virtualTime
    }

    /// `t+1.500000000s: what`.
    public var description: String { "\(SimulationTrace.format(time: virtualTime)): \(what)" }
}
