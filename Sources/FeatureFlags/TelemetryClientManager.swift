/// One telemetry client per host, shared by every connection to that host.
///
/// The first acquire for a host builds the client (through the injected
/// factory) and starts it; the last release closes it; ``shutdown()`` closes
/// all. The policy is chosen per instance, like ``FeatureFlagCache``'s.
public final class TelemetryClientManager: Sendable {
    private enum Backend: Sendable {
        case seed(SeedClientManager)
        case recommended(RecommendedClientManager)
    }

    private let backend: Backend
    /// The policy this instance follows.
    public let policy: FlagCachePolicy

    /// Creates a manager that builds clients with `factory`.
    public init(policy: FlagCachePolicy, factory: @escaping TelemetryClientFactory) {
        self.policy = policy
        switch policy {
        case .seed: backend = .seed(SeedClientManager(factory: factory))
        case .recommended: backend = .recommended(RecommendedClientManager(factory: factory))
        }
    }

    /// A process-wide manager (`recommended`, ``CountingTelemetryClient``s) for
    /// programs that want one. Tests and scenarios create their own.
    public static let shared = TelemetryClientManager(policy: .recommended) { CountingTelemetryClient(host: $0) }

    /// Takes a lease on `host`'s client, building and starting it if needed.
    ///
    /// Throws ``TelemetryClientManagerError/startFailed(host:underlying:)`` when
    /// the client's start fails; then nothing is held.
    public func acquire(_ host: HostKey) async throws -> ClientLease {
        switch backend {
        case .seed(let manager):
            let client = try await manager.acquire(host)
            return ClientLease(client: client, backing: .seed(manager, host))
        case .recommended(let manager):
            let (client, holderID, ticket) = try await manager.acquire(host)
            return ClientLease(client: client, backing: .recommended(manager, host, holderID: holderID, ticket))
        }
    }

    /// Takes a lease on `host`'s client (see ``acquire(_:)-(HostKey)``).
    public func acquire(_ host: String) async throws -> ClientLease {
        try await acquire(HostKey(host))
    }

    /// Runs `body` with a lease on `host`'s client and releases it afterwards, even if `body` throws.
    public func withClient<Result: Sendable>(
        _ host: HostKey, _ body: (ClientLease) async throws -> Result
    ) async throws -> Result {
        let lease = try await acquire(host)
        do {
            let result = try await body(lease)
            await lease.release()
            return result
        } catch {
            await lease.release()
            throw error
        }
    }

    /// Closes every client and forgets them. Leases still out refer to closed clients.
    public func shutdown() async {
        switch backend {
        case .seed(let manager): await manager.shutdown()
        case .recommended(let manager): await manager.shutdown()
        }
    }

    /// Test support: returns once at least `count` acquirers are waiting (`seed`:
    /// queued on the global lock; `recommended`: parked behind a start or close).
    func waitForParkedAcquirers(atLeast count: Int) async {
        switch backend {
        case .seed(let manager): await manager.waitForParkedAcquirers(atLeast: count)
        case .recommended(let manager): await manager.waitForParkedAcquirers(atLeast: count)
        }
    }

    /// A readout of clients, leases and lock statistics.
    public var statistics: TelemetryClientManagerStatistics {
        switch backend {
        case .seed(let manager): manager.snapshot()
        case .recommended(let manager): manager.snapshot()
        }
    }
}

/// One connection's hold on its host's telemetry client.
///
/// Under `recommended` releasing twice is a counted no-op; under `seed` each
/// release drops one reference of the host's count, as in the Go code (W4).
public struct ClientLease: Sendable {
    enum Backing: Sendable {
        case seed(SeedClientManager, HostKey)
        case recommended(RecommendedClientManager, HostKey, holderID: UInt64, LeaseTicket)
    }

    /// The shared client.
    public let client: any TelemetryClient
    let backing: Backing

    /// Records an event on the shared client.
    public func record(_ event: TelemetryEvent) { client.record(event) }

    /// Releases the lease; the last release of a host closes its client (and waits for the close).
    public func release() async {
        switch backing {
        case .seed(let manager, let host):
            await manager.release(host)
        case .recommended(let manager, let host, let holderID, let ticket):
            await manager.release(host, holderID: holderID, ticket: ticket)
        }
    }
}
