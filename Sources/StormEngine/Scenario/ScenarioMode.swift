/// Which runtime a scenario runs on.
public enum ScenarioMode: String, Sendable, Hashable, CaseIterable {
    /// Wall clock, loopback HTTP, the global concurrent executor.
    case realtime
    /// Virtual clock, seeded executor, in-memory transport (accepted in files; the engine rejects it until simulation lands).
    case simulated
}
