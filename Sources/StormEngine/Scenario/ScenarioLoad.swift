/// The load a scenario applies: an executor with exactly the options it takes.
///
/// Why an enum with payloads: options that do not belong to an executor (a
/// `rate` for a `burst`) cannot be represented, so the engine switches over
/// cases instead of checking for `nil`s; the file reader reports such options.
public enum ScenarioLoad: Sendable, Hashable {
    /// `connections` open at once; each lives its lifetime, then closes.
    case burst(connections: Int)
    /// Connections open at `rate` for `duration`; arrivals while `maxConnections` are open are counted as dropped.
    case constantArrival(rate: ArrivalRate, duration: Duration, maxConnections: Int)
    /// The rate starts at `startRate` and moves linearly through `stages`; arrivals beyond `maxConnections` are dropped.
    case rampingArrival(startRate: ArrivalRate, stages: [RampingStage], maxConnections: Int)
    /// `connections` live at once for `duration`, each replaced when it closes.
    case constantConnections(connections: Int, duration: Duration)

    /// The open-model cap used when a file gives none.
    public static let defaultMaxConnections = 100_000

    /// The executor's name.
    public var executor: LoadExecutor {
        switch self {
        case .burst: .burst
        case .constantArrival: .constantArrival
        case .rampingArrival: .rampingArrival
        case .constantConnections: .constantConnections
        }
    }

    /// How long new connections keep opening: `duration`, the sum of the stages, or zero for a burst.
    public var duration: Duration {
        switch self {
        case .burst: .zero
        case .constantArrival(_, let duration, _), .constantConnections(_, let duration): duration
        case .rampingArrival(_, let stages, _): stages.reduce(.zero) { $0 + $1.duration }
        }
    }
}
