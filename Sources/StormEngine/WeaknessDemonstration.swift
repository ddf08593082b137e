import FeatureFlags

/// One weakness of the reference design (REFERENCE-BEHAVIOUR.md), run as a
/// small experiment under a given policy.
///
/// The `seed` policy must show the weakness with the Go code's figures and the
/// `recommended` policy must not: `flagstorm run` fails when either does not,
/// so the built-in suite doubles as a check that both policies still behave as
/// documented. (The scenario engine will grow full load scenarios for all ten.)
public struct WeaknessDemonstration: Sendable {
    /// The weakness id, `W1` … `W10`.
    public let id: String
    /// What the weakness is, in one line.
    public let title: String
    /// What the Go code measured, for comparison.
    public let goFigure: String
    /// Whether the demonstration runs in virtual time (deterministic) or real time.
    public let virtualTime: Bool
    let body: @Sendable (FlagCachePolicy) async throws -> Outcome

    /// What one run measured.
    public struct Outcome: Sendable, Hashable {
        /// The figures, in words (e.g. "1 fetch, 1 true, 999 false").
        public var figures: String
        /// Whether the weakness showed.
        public var weaknessShown: Bool
    }

    /// Runs the experiment under `policy`.
    public func run(_ policy: FlagCachePolicy) async throws -> Outcome {
        try await body(policy)
    }

    /// Whether `outcome` is what `policy` must produce: the weakness under `seed`, none under `recommended`.
    public static func isExpected(_ outcome: Outcome, for policy: FlagCachePolicy) -> Bool {
        outcome.weaknessShown == (policy == .seed)
    }
}
