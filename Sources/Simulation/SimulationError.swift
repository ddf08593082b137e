/// Why a simulated run failed (as opposed to the body throwing its own error, which `run` rethrows).
public enum SimulationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing could run, no timer was pending, yet the body or spawned tasks had not finished.
    ///
    /// `waitingTasks` counts the body and the spawned tasks still unfinished; their
    /// child tasks are not counted. Something outside the simulation holds them.
    case stalled(waitingTasks: Int, virtualTime: UInt64, step: UInt64)
    /// Work left the simulation's thread during the run (see ``SimulationEscape``).
    case escaped([SimulationEscape])
    /// The run executed more jobs than ``SimulationLimits/maxSteps`` allows.
    case stepLimitExceeded(steps: UInt64)
    /// A timer lay beyond ``SimulationLimits/maxVirtualTime``.
    case virtualTimeLimitExceeded(limit: UInt64)
    /// `run` was called while this executor was already running (from another thread, or from inside the body).
    case alreadyRunning

    /// What went wrong and where to look, in one paragraph (printed by `hunt` above the trace).
    public var description: String {
        switch self {
        case let .stalled(waiting, time, step):
            return "simulation stalled at \(SimulationTrace.format(time: time)) after step \(step): "
                + "nothing runnable and no timer pending, but \(waiting) task(s) (the body and spawned tasks) "
                + "have not finished; something outside the simulation holds them: Dispatch, a socket, "
                + "an unstructured Task {} on the global executor, a continuation nobody resumes, or a blocking lock"
        case let .escaped(escapes):
            return "work escaped the simulation's thread (the run is not deterministic): "
                + escapes.map(\.description).joined(separator: "; ")
        case let .stepLimitExceeded(steps):
            return "simulation exceeded its step limit (\(steps) steps): a livelock?"
        case let .virtualTimeLimitExceeded(limit):
            return "simulation exceeded its virtual-time limit (\(SimulationTrace.format(time: limit))): a livelock?"
        case .alreadyRunning:
            return "this simulation executor is already running a body"
        }
    }
}
