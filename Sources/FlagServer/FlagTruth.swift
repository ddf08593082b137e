/// One change of a flag's true value: from `at` after the server's start on, the flag is `value`.
public struct FlagFlip: Sendable, Hashable {
    /// When the flip happens, measured from the model's start instant.
    public var at: Duration
    /// The flag's value from then on.
    public var value: Bool

    /// Creates a flip to `value` at `at` after the start.
    public init(at: Duration, value: Bool) {
        self.at = at
        self.value = value
    }
}

/// A flag's true value over time, for one host.
///
/// Why a schedule: a cache that keeps serving a value after the server flipped
/// it gives wrong answers, and the harness counts those against ``FlagServerModel/truth(host:at:)``.
/// A constant is the common case; flips script a rollout or a rollback.
public enum FlagTruth: Sendable, Hashable {
    /// The flag is always `value`.
    case constant(Bool)
    /// The flag is `initial` until the first flip, then each flip's value from its instant on.
    /// Flips must be in ascending order of `at` (``FlagServerConfiguration/validate()`` checks).
    case schedule(initial: Bool, flips: [FlagFlip])

    /// The value `elapsed` after the start (a flip at exactly `elapsed` has happened).
    public func value(after elapsed: Duration) -> Bool {
        switch self {
        case .constant(let value):
            return value
        case .schedule(let initial, let flips):
            var current = initial
            for flip in flips {
                guard flip.at <= elapsed else { break }
                current = flip.value
            }
            return current
        }
    }
}
