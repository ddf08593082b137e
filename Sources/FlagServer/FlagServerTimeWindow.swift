/// A half-open span of server time, `[start, end)`, measured from the model's start instant.
///
/// Why relative: a scenario is written once ("an outage from minute 10 to 12")
/// and runs on the wall clock or on a virtual clock alike.
public struct FlagServerTimeWindow: Sendable, Hashable {
    /// When the window opens.
    public var start: Duration
    /// When it closes (exclusive).
    public var end: Duration

    /// Creates the window `[start, end)`.
    public init(start: Duration, end: Duration) {
        self.start = start
        self.end = end
    }

    /// Whether `elapsed` lies inside the window.
    public func contains(_ elapsed: Duration) -> Bool {
        start <= elapsed && elapsed < end
    }
}
