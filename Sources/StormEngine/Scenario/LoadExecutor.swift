/// The load models, chosen by name in a scenario file (k6's executors).
public enum LoadExecutor: String, Sendable, Hashable, CaseIterable {
    /// `burst`: N connections open at once (the thundering herd).
    case burst
    /// `constant-arrival`: connections open at a fixed rate however the system keeps up (open model).
    case constantArrival = "constant-arrival"
    /// `ramping-arrival`: the arrival rate moves linearly through stages (open model).
    case rampingArrival = "ramping-arrival"
    /// `constant-connections`: N live connections, each replaced when it closes (churn; closed model).
    case constantConnections = "constant-connections"
}
