import FlagServer

/// What each simulated connection does between open and close, including the misbehaving fractions.
///
/// A connection acquires a flag lease and a client lease by one of its host's
/// spellings, checks the flag at open and then every ``checkInterval`` for its
/// ``lifetime``, records ``eventsPerCheck`` telemetry events per check, then
/// releases both leases.
public struct ScenarioConnection: Sendable, Hashable {
    /// How long a connection stays open.
    public var lifetime: LatencyDistribution
    /// The time between checks (the first check is at open); `> 0`.
    public var checkInterval: Duration
    /// Telemetry events recorded per check; `>= 0`.
    public var eventsPerCheck: Int
    /// The fraction of connections that release both leases twice (W4); within `0...1`.
    public var doubleRelease: Double
    /// The fraction of connections whose first check is cancelled (W8); within `0...1`.
    public var cancelFirstCheck: Double
    /// How long after it starts a cancelled first check is cancelled (a caller's deadline); `>= 0`.
    public var cancelAfter: Duration

    /// Creates the behaviour; defaults: 1 s lifetime, a check every 100 ms, one event per check, no misbehaviour.
    public init(lifetime: LatencyDistribution = .fixed(.seconds(1)), checkInterval: Duration = .milliseconds(100),
                eventsPerCheck: Int = 1, doubleRelease: Double = 0, cancelFirstCheck: Double = 0,
                cancelAfter: Duration = .milliseconds(5)) {
        self.cancelAfter = cancelAfter
        self.lifetime = lifetime
        self.checkInterval = checkInterval
        self.eventsPerCheck = eventsPerCheck
        self.doubleRelease = doubleRelease
        self.cancelFirstCheck = cancelFirstCheck
    }
}
