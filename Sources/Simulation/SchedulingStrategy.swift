/// How the simulation executor picks the next job among the runnable ones.
///
/// Both strategies are deterministic for a seed: the same seed, strategy and body
/// give the same sequence of picks, hence the same trace.
public enum SchedulingStrategy: Sendable, Hashable, CustomStringConvertible {
    /// A uniform random pick among the runnable jobs at every step.
    ///
    /// Good at shallow races between many tasks; it rarely starves one task for
    /// long, which is what deep bugs need (that is PCT's job).
    case random
    /// Probabilistic Concurrency Testing (Burckhardt, Kothari, Musuvathi, Nagarakatte, ASPLOS 2010).
    ///
    /// Every task gets a random distinct priority when first seen; the executor
    /// always runs the highest-priority runnable task; at `depth − 1` step numbers
    /// drawn uniformly from `1...expectedSteps` the task picked at that step is
    /// demoted below every other task (to `depth − i` at the i-th change point).
    /// A bug of depth `d` among `n` tasks is then found with probability at least
    /// `1 / (n · k^(d−1))` per run, `k` being the run's length in steps, so
    /// `expectedSteps` should be close to the real step count of the body (a run
    /// reports its `stepCount` in its trace).
    case pct(depth: Int, expectedSteps: Int = 1_000)

    /// Parses a strategy by name, as a command line gives it: `random`, `pct`
    /// (depth 3), `pct:D` or `pct:D:K` (depth D, K expected steps).
    ///
    /// Config is data: `flagstorm hunt --strategy pct:2` names a strategy rather
    /// than building one in code.
    public init?(name: String) {
        let parts = name.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts.first {
        case "random" where parts.count == 1:
            self = .random
        case "pct" where parts.count <= 3:
            let depth = parts.count > 1 ? Int(parts[1]) : 3
            let steps = parts.count > 2 ? Int(parts[2]) : 1_000
            guard let depth, let steps, depth >= 1, steps >= 1 else { return nil }
            self = .pct(depth: depth, expectedSteps: steps)
        default:
            return nil
        }
    }

    /// The name ``init(name:)`` parses back (`random`, `pct:2:1000`).
    public var description: String {
        switch self {
        case .random: return "random"
        case let .pct(depth, expectedSteps): return "pct:\(depth):\(expectedSteps)"
        }
    }
}
