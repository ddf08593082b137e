/// Threshold expressions per policy, kept as text; reporting evaluates them.
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
