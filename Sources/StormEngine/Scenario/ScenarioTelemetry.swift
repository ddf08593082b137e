import FeatureFlags
import FlagServer

/// Hosts whose telemetry clients start or close slowly (W5, W6).
public struct SlowTelemetryHosts: Sendable, Hashable {
    /// The hosts affected, as written (compare by ``FeatureFlags/HostKey``).
    public var hosts: [String]
    /// Their client start latency, or `nil` for the scenario's.
    public var start: LatencyDistribution?
    /// Their client close latency, or `nil` for the scenario's.
    public var close: LatencyDistribution?

    /// Creates a slow-host entry.
    public init(hosts: [String], start: LatencyDistribution? = nil, close: LatencyDistribution? = nil) {
        self.hosts = hosts
        self.start = start
        self.close = close
    }
}

/// The fake telemetry clients' behaviour: how long starting and closing one takes.
public struct ScenarioTelemetry: Sendable, Hashable {
    /// Client start latency for every host not in ``slowHosts``.
    public var start: LatencyDistribution
    /// Client close latency for every host not in ``slowHosts``.
    public var close: LatencyDistribution
    /// Exceptions, first match wins.
    public var slowHosts: [SlowTelemetryHosts]

    /// The client start latency for `host` (any spelling): the first matching slow-host entry's, else ``start``.
    public func startLatency(forHost host: String) -> LatencyDistribution {
        slowEntry(forHost: host, having: \.start) ?? start
    }

    /// The client close latency for `host` (any spelling): the first matching slow-host entry's, else ``close``.
    public func closeLatency(forHost host: String) -> LatencyDistribution {
        slowEntry(forHost: host, having: \.close) ?? close
    }

    private func slowEntry(forHost host: String,
                           having latency: KeyPath<SlowTelemetryHosts, LatencyDistribution?>) -> LatencyDistribution? {
        let key = HostKey(host)
        for entry in slowHosts {
            if let value = entry[keyPath: latency], entry.hosts.contains(where: { HostKey($0) == key }) { return value }
        }
        return nil
    }

    /// Creates the telemetry behaviour; defaults: instant start and close, no slow hosts.
    public init(start: LatencyDistribution = .zero, close: LatencyDistribution = .zero,
                slowHosts: [SlowTelemetryHosts] = []) {
        self.start = start
        self.close = close
        self.slowHosts = slowHosts
    }
}
