/// Counters for one host, as kept by the fake server.
public struct FlagServerHostStatistics: Sendable, Hashable {
    /// Requests received.
    public var requests: Int
    /// Requests by outcome kind (kinds that never happened are absent).
    public var outcomes: [FlagServerOutcomeKind: Int]
    /// The most requests received within any 60-second span (sliding), for capacity planning.
    public var peakRequestsPerMinute: Int

    /// Creates host statistics.
    public init(requests: Int = 0, outcomes: [FlagServerOutcomeKind: Int] = [:], peakRequestsPerMinute: Int = 0) {
        self.requests = requests
        self.outcomes = outcomes
        self.peakRequestsPerMinute = peakRequestsPerMinute
    }

    /// Requests with outcome `kind`.
    public subscript(kind: FlagServerOutcomeKind) -> Int { outcomes[kind] ?? 0 }
}

/// A snapshot of the fake server's counters: totals, the in-flight gauge, per-host counters.
///
/// Why counters beside the journal: they stay exact when the journal is
/// capped, and they are what `flagstorm serve` prints on exit.
public struct FlagServerStatistics: Sendable, Hashable {
    /// Requests received.
    public var requests: Int
    /// Requests by outcome kind (kinds that never happened are absent).
    public var outcomes: [FlagServerOutcomeKind: Int]
    /// Requests handled but not yet finished (see ``FlagServerModel/finish(_:)``).
    public var inFlight: Int
    /// The highest ``inFlight`` seen.
    public var peakInFlight: Int
    /// Per normalised host.
    public var hosts: [String: FlagServerHostStatistics]
    /// Journal entries dropped because of ``FlagServerConfiguration/journalEntryLimit``.
    public var droppedJournalEntries: Int

    /// Creates statistics.
    public init(requests: Int, outcomes: [FlagServerOutcomeKind: Int], inFlight: Int, peakInFlight: Int,
                hosts: [String: FlagServerHostStatistics], droppedJournalEntries: Int) {
        self.requests = requests
        self.outcomes = outcomes
        self.inFlight = inFlight
        self.peakInFlight = peakInFlight
        self.hosts = hosts
        self.droppedJournalEntries = droppedJournalEntries
    }

    /// Requests with outcome `kind`.
    public subscript(kind: FlagServerOutcomeKind) -> Int { outcomes[kind] ?? 0 }

    /// The highest per-host peak requests per minute.
    public var peakRequestsPerMinutePerHost: Int {
        hosts.values.map(\.peakRequestsPerMinute).max() ?? 0
    }
}
