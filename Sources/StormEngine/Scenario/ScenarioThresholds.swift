/// Threshold expressions per policy, kept as text (reports quote them as written); ``ScenarioSpec/validate()``
/// parses each against the report's metric vocabulary, and the engine evaluates them after the run.
public struct ScenarioThresholds: Sendable, Hashable {
    /// Checked on `seed` runs.
    public var seed: [String]
    /// Checked on `recommended` runs.
    public var recommended: [String]
    /// Checked on every run.
    public var all: [String]

    /// Creates the thresholds; defaults: none.
    public init(seed: [String] = [], recommended: [String] = [], all: [String] = []) {
        self.seed = seed
        self.recommended = recommended
        self.all = all
    }
}
