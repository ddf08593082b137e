/// Which runtime a scenario runs on.
public enum ScenarioMode: String, Sendable, Hashable, CaseIterable {
    /// Wall clock, loopback HTTP, the global concurrent executor.
    case realtime
    /// Virtual clock, seeded single-threaded executor, in-memory transport: replays exactly from the seed.
    case simulated
}
