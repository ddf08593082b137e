/// Faults of the driver's own fetch path, as opposed to the server's.
public struct ScenarioFetcher: Sendable, Hashable {
    /// The probability that a fetch crashes (throws an unexpected error inside the fetcher; W10); within `0...1`.
    public var crash: Double
    /// Fetches that crash whatever ``crash`` says, numbered from 1 in the order the cache starts them
    /// (W10 on a refresh: `[2]` crashes the first refresh after the first fetch); each `> 0`.
    public var crashFetches: [Int]

    /// Creates the fetcher behaviour; default: no crashes.
    public init(crash: Double = 0, crashFetches: [Int] = []) {
        self.crash = crash
        self.crashFetches = crashFetches
    }
}
