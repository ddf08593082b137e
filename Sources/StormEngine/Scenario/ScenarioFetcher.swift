/// Faults of the driver's own fetch path, as opposed to the server's.
public struct ScenarioFetcher: Sendable, Hashable {
    /// The probability that a fetch crashes (throws an unexpected error inside the fetcher; W10); within `0...1`.
    public var crash: Double

    /// Creates the fetcher behaviour; default: no crashes.
    public init(crash: Double = 0) {
        self.crash = crash
    }
}
