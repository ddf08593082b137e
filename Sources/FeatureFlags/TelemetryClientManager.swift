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
    /// The `recommended` core again, unmanaged, for the hot path: extracting it
    /// from `backend` costs a reference-count pair per call (`backend` owns it).
    private let recommendedCore: Unmanaged<RecommendedClientManager>?
    /// The policy this instance follows.
    public let policy: FlagCachePolicy

    /// Creates a manager that builds clients with `factory`.
    public convenience init(policy: FlagCachePolicy, factory: @escaping TelemetryClientFactory) {
        self.init(policy: policy, plantedRace: false, factory: factory)
    }

    /// Test only: `plantedRace` plants a check-then-act race in `recommended`'s release (the decision
    /// to close and the close in two critical sections, with a suspension between), so that
    /// `flagstorm hunt` can be shown to find and replay a race it was not told about.
    package init(policy: FlagCachePolicy, plantedRace: Bool, factory: @escaping TelemetryClientFactory) {
        self.policy = policy
        switch policy {
        case .seed: backend = .seed(SeedClientManager(factory: factory))
        case .recommended: backend = .recommended(RecommendedClientManager(factory: factory, plantedRace: plantedRace))
        }
        if case .recommended(let core) = backend {
            recommendedCore = Unmanaged.passUnretained(core)
        } else {
            recommendedCore = nil
        }
    }

    /// Why: leases point at the manager's holders without reference counting.
    /// If the manager is dropped while leases are still out, its internals are
    /// deliberately kept alive, so a late release still works instead of
    /// touching freed memory. Drop a manager only after its leases are released.
    deinit {
        if case .recommended(let manager) = backend, manager.hasOutstandingLeases {
            _ = Unmanaged.passRetained(manager)
        }
    }

    /// A process-wide manager (`recommended`, ``CountingTelemetryClient``s) for
    /// programs that want one. Tests and scenarios create their own.
    public static let shared = TelemetryClientManager(policy: .recommended) { CountingTelemetryClient(host: $0) }

    /// Takes a lease on `host`'s client, building and starting it if needed.
    ///
    /// Throws ``TelemetryClientManagerError/startFailed(host:underlying:)`` when
    /// the client's start fails; then nothing is held.
    @inlinable
    nonisolated(nonsending)
    public func acquire(_ host: HostKey) async throws -> ClientLease {
        if let lease = acquireIfRunning(host) { return lease }
        return try await acquireSlowly(host)
    }

    /// A lease on `host`'s client if it is already running, without waiting; `nil` otherwise.
    ///
    /// The synchronous half of ``acquire(_:)-(HostKey)`` under `recommended`
    /// (one lock, one lookup, no allocation). Under `seed` always `nil`: the Go
    /// design takes its global lock, which may be held across a start.
    public func acquireIfRunning(_ host: borrowing HostKey) -> ClientLease? {
        guard let core = recommendedCore,
              let (holder, ticket) = core._withUnsafeGuaranteedRef({ $0.acquireIfRunning(host) }) else { return nil }
        return ClientLease(.recommended(holder, ticket, core))
    }

    @usableFromInline
    nonisolated(nonsending)
    func acquireSlowly(_ host: HostKey) async throws -> ClientLease {
        switch backend {
        case .seed(let manager):
            let client = try await manager.acquire(host)
            return ClientLease(.seed(SeedClientLeaseState(manager: manager, host: host, client: client)))
        case .recommended(let manager):
            let (holder, ticket) = try await manager.acquireSlowly(host)
            return ClientLease(.recommended(holder, ticket, Unmanaged.passUnretained(manager)))
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
/// Under `recommended` releasing twice is a counted no-op and recording on a
/// released lease is dropped; under `seed` each release drops one reference of
/// the host's count, as in the Go code (W4), and recording goes to the client
/// whatever its state.
public struct ClientLease: Sendable {
    enum Backing: Sendable {
        /// One reference: keeps copies of a recommended lease cheap (a single
        /// optional-like payload to retain, instead of three).
        case seed(SeedClientLeaseState)
        /// Unmanaged: acquire+release cost no reference counting (see ``LeaseTicket``).
        case recommended(Unmanaged<ClientHolder>, LeaseTicket, Unmanaged<RecommendedClientManager>)
    }

    let backing: Backing

    init(_ backing: Backing) { self.backing = backing }

    /// The shared client (valid while the lease is out).
    public var client: any TelemetryClient {
        switch backing {
        case .seed(let state): state.client
        case .recommended(let holder, _, _): holder._withUnsafeGuaranteedRef { $0.client }
        }
    }

    /// Records an event on the shared client.
    public func record(_ event: TelemetryEvent) {
        switch backing {
        case .seed(let state):
            state.client.record(event)
        case .recommended(let holder, let ticket, _):
            guard ticket.isOutstanding else { return }
            holder._withUnsafeGuaranteedRef { $0.client.record(event) }
        }
    }

    /// Releases the lease; the last release of a host closes its client (and waits for the close).
    @inlinable
    nonisolated(nonsending)
    public func release() async {
        if releaseUnlessLast() { return }
        await releaseSlowly()
    }

    /// Releases without suspending when this is not the host's last lease;
    /// returns `false` when ``releaseSlowly()`` must finish the job.
    @usableFromInline
    func releaseUnlessLast() -> Bool {
        switch backing {
        case .seed:
            return false
        case .recommended(let holder, let ticket, _):
            guard ticket.release() else { return true }  // a double release: counted, nothing else
            return !holder._withUnsafeGuaranteedRef { $0.countRelease() }
        }
    }

    @usableFromInline
    nonisolated(nonsending)
    func releaseSlowly() async {
        switch backing {
        case .seed(let state):
            await state.manager.release(state.host)
        case .recommended(let holder, _, let manager):
            // Only the holder's identity from here: once this release was
            // counted, the holder may have been freed by another thread.
            let identity = holder.identity
            await manager._withUnsafeGuaranteedRef { manager in manager }.releaseSlowly(identity)
        }
    }

    /// Whether the lease is still out (`seed` cannot tell and always says `true`).
    public var isOutstanding: Bool {
        switch backing {
        case .seed: true
        case .recommended(_, let ticket, _): ticket.isOutstanding
        }
    }
}

/// What a `seed` client lease holds: the Go design released by host name.
final class SeedClientLeaseState: Sendable {
    let manager: SeedClientManager
    let host: HostKey
    let client: any TelemetryClient

    init(manager: SeedClientManager, host: HostKey, client: any TelemetryClient) {
        self.manager = manager
        self.host = host
        self.client = client
    }
}
