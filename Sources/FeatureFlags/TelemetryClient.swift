/// A per-host telemetry client, shared by every connection to that host.
///
/// The manager calls ``start()`` once before handing the client out and
/// ``close()`` once after the last connection let go. ``record(_:)`` is called
/// by connections in between and must not block.
public protocol TelemetryClient: AnyObject, Sendable {
    /// Starts the client (opens its exporter). A throw means the client is unusable.
    func start() async throws
    /// Records one event for export. Must be cheap and must not block.
    func record(_ event: TelemetryEvent)
    /// Flushes and closes the client. May take a while (the Go client flushed for up to 5 s).
    func close() async
}

/// One telemetry event recorded by a connection.
public struct TelemetryEvent: Sendable, Hashable {
    /// What happened, e.g. `statement.executed`.
    public var name: String
    /// A numeric payload (a latency, a row count), if any.
    public var value: Int64

    /// Creates an event.
    public init(name: String, value: Int64 = 0) {
        self.name = name
        self.value = value
    }
}

/// Builds the client for a host. Called once per client the manager starts.
public typealias TelemetryClientFactory = @Sendable (HostKey) -> any TelemetryClient

/// A client that counts what it is given and exports nothing.
///
/// The stand-in for the Go PR's placeholder client (its `start` and `close`
/// did nothing either): the export pipeline is outside this package. The
/// counts make misuse visible: events recorded after close, or a second close.
public final class CountingTelemetryClient: TelemetryClient {
    private struct Counts {
        var starts = 0
        var closes = 0
        var events = 0
        var eventsAfterClose = 0
    }

    /// The host this client serves.
    public let host: HostKey
    private let counts = Locked(Counts())

    /// Creates a client for `host`.
    public init(host: HostKey) { self.host = host }

    public func start() async throws { counts.withLock { $0.starts += 1 } }

    public func record(_ event: TelemetryEvent) {
        counts.withLock {
            $0.events += 1
            if $0.closes > 0 { $0.eventsAfterClose += 1 }
        }
    }

    public func close() async { counts.withLock { $0.closes += 1 } }

    /// Times ``start()`` was called.
    public var startCount: Int { counts.withLock { $0.starts } }
    /// Times ``close()`` was called.
    public var closeCount: Int { counts.withLock { $0.closes } }
    /// Events recorded in all.
    public var eventCount: Int { counts.withLock { $0.events } }
    /// Events recorded after the first close: a connection used a client the manager had closed.
    public var eventsAfterClose: Int { counts.withLock { $0.eventsAfterClose } }
}

/// Errors of the client manager.
public enum TelemetryClientManagerError: Error, Sendable {
    /// The client's `start()` threw; nothing was stored, nothing needs releasing.
    case startFailed(host: String, underlying: any Error)
}

/// A point-in-time readout of a ``TelemetryClientManager``.
public struct TelemetryClientManagerStatistics: Sendable, Hashable {
    /// The manager's policy.
    public var policy: FlagCachePolicy
    /// Hosts with a client (starting, running or closing).
    public var liveClients: Int
    /// Clients whose `start()` succeeded.
    public var clientsStarted: UInt64
    /// Clients whose `close()` returned.
    public var clientsClosed: UInt64
    /// Clients whose `start()` threw.
    public var startFailures: UInt64
    /// Leases acquired and not yet released (`seed`: the sum of reference counts).
    public var outstandingLeases: Int
    /// Releases of an already released lease (`recommended` only; `seed` cannot tell).
    public var doubleReleases: UInt64
    /// Lease records the manager keeps for reuse (`recommended`; 0 under `seed`).
    public var leaseSlots: Int
    /// Statistics of the manager's lock.
    public var locks: [LockStatistics]
}
