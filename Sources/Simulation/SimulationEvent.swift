/// One entry of a ``SimulationTrace``: a scheduling step or a labelled note, with its virtual time and task.
public struct SimulationEvent: Sendable, Hashable, CustomStringConvertible {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// The executor ran one job of ``SimulationEvent/task``.
        case step
        /// The system under test or the engine said what it did (``SimulationExecutor/note(_:)``).
        case note(String)
    }

    /// The step during which the event happened (for a step: its own number, from 1).
    public var step: UInt64
    /// The virtual time, in nanoseconds on the run's clock.
    public var virtualTime: UInt64
    /// The simulation's number for the task (1 is the body; numbered in order of first
    /// sight, so stable under a seed); 0 for a runtime job that belongs to no task
    /// (the concurrency runtime's own trampolines, such as an actor's processing job).
    public var task: UInt32
    /// Step or note.
    public var kind: Kind

    /// Creates an event.
    public init(step: UInt64, virtualTime: UInt64, task: UInt32, kind: Kind) {
        self.step = step
        self.virtualTime = virtualTime
        self.task = task
        self.kind = kind
    }

    /// One line: `#12 t+0.000150000s task 3 runs` or `#12 t+0.000150000s task 3: conn 12 acquired host-3`.
    public var description: String {
        let head = "#\(step) \(SimulationTrace.format(time: virtualTime)) task \(task)"
        switch kind {
        case .step: return "\(head) runs"
        case let .note(label): return "\(head): \(label)"
        }
    }
}
