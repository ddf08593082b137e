import Synchronization

/// A running client and the count of leases on it.
///
/// Created when the client's `start()` succeeded; immutable but for its
/// reference count. Leases refer to it unmanaged (no reference counting per
/// acquire or release); the manager keeps it alive while it is registered and
/// for one more close after that.
final class ClientHolder: HostKeyed, Sendable {
    let key: HostKey
    let client: any TelemetryClient
    /// Leases ever issued on this holder. Written only under the manager's
    /// lock (a plain load and store: the lock already orders it, so no locked
    /// instruction), read by releasers without it.
    let acquired = Atomic<UInt64>(0)
    /// Leases released (first releases only). Incremented without the lock.
    ///
    /// Why two monotonic counters instead of one count: an acquire then costs
    /// no atomic read-modify-write, and the release that brings `released` up
    /// to `acquired` knows it may be the last; it confirms under the lock,
    /// where no acquire can slip in, before closing.
    let released = Atomic<UInt64>(0)
    unowned(unsafe) let manager: RecommendedClientManager

    init(key: HostKey, client: any TelemetryClient, references: Int, manager: RecommendedClientManager) {
        self.key = key
        self.client = client
        self.acquired.store(UInt64(references), ordering: .relaxed)
        self.manager = manager
    }

    /// Counts one more lease. Call only under the manager's lock.
    @inline(__always)
    func countAcquire() {
        acquired.store(acquired.load(ordering: .relaxed) &+ 1, ordering: .releasing)
    }

    /// Counts a release; returns whether no lease is left as far as this release can tell.
    @inline(__always)
    func countRelease() -> Bool {
        let released = released.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        return released == acquired.load(ordering: .acquiring)
    }

    /// Whether no lease is out. Exact under the manager's lock.
    var isUnreferenced: Bool {
        released.load(ordering: .acquiring) >= acquired.load(ordering: .acquiring)
    }
}

/// The `recommended` policy's client manager.
///
/// - Keyed by ``HostKey/normalized``, the same key as the flag cache (W3).
/// - Client construction, `start()` and `close()` run outside the lock. While a
///   host's client starts, its other acquirers wait for that start; other hosts
///   are not blocked (W5).
/// - A closing client stays registered until its close returns; an acquire in
///   the meantime waits and then starts a fresh client, so a host never has two
///   live clients (W6).
/// - Leases are idempotent: a second release is a counted no-op (W4).
/// - Acquiring a running client and releasing a lease that is not the last
///   take no suspension and no allocation: one lock and a lookup to acquire,
///   two atomic operations to release.
final class RecommendedClientManager: Sendable {
    private enum Phase {
        case starting(waiters: [CheckedContinuation<AcquireStep, any Error>])
        case running(Unmanaged<ClientHolder>)
        case closing(waiters: [CheckedContinuation<AcquireStep, any Error>])
    }

    private struct State {
        /// The hot lookup: running clients only, nothing to copy or reference-count.
        var running = HostTable<ClientHolder>()
        /// Every registered host's phase.
        var phases: [HostKey: Phase] = [:]
        /// Closed holders not yet released: each is kept until a later close
        /// finds no lease left on it (leases still out after `shutdown()` keep
        /// theirs alive, so their release never touches freed memory).
        var graveyard: [Unmanaged<ClientHolder>] = []
        var slots = LeaseSlotPool()
        var clientsStarted: UInt64 = 0
        var clientsClosed: UInt64 = 0
        var startFailures: UInt64 = 0
        /// Acquirers parked behind a starting or closing client, and test watchers of that number.
        var parked = 0
        var parkedWatchers = ThresholdWatchers()
    }

    enum AcquireStep: Sendable {
        case ready(Unmanaged<ClientHolder>, LeaseTicket)
        case start
        case retry
    }

    let factory: TelemetryClientFactory
    private let lock = InstrumentedLock(name: "clientManager.registry", State())

    init(factory: @escaping TelemetryClientFactory) { self.factory = factory }

    deinit {
        lock.withLock { state in
            for holder in state.running.objects { holder.release() }
            for holder in state.graveyard { holder.release() }
        }
    }

    /// Whether any lease is still out (the façade keeps the manager alive if so).
    var hasOutstandingLeases: Bool { lock.withLock { $0.slots.outstanding > 0 } }

    // MARK: Acquire

    /// A lease on the host's running client, or `nil` when the slow path must act.
    func acquireIfRunning(_ key: borrowing HostKey) -> (Unmanaged<ClientHolder>, LeaseTicket)? {
        // Through a pointer: a closure capturing the key itself copies its four strings.
        withUnsafePointer(to: key) { key in
            lock.withLock { state in
                guard let holder = state.running.find(key.pointee) else { return nil }
                holder._withUnsafeGuaranteedRef { $0.countAcquire() }
                return (holder, state.slots.issue(on: holder.toOpaque()))
            }
        }
    }

    nonisolated(nonsending)
    func acquireSlowly(_ key: HostKey) async throws -> (Unmanaged<ClientHolder>, LeaseTicket) {
        while true {
            let step = if let ready = acquireIfRunning(key) {
                AcquireStep.ready(ready.0, ready.1)
            } else {
                try await slowStep(key)
            }
            switch step {
            case .ready(let holder, let ticket): return (holder, ticket)
            case .retry: continue
            case .start: return try await startClient(key)
            }
        }
    }

    /// Decides, and parks if the host's client is starting or closing.
    private func slowStep(_ key: HostKey) async throws -> AcquireStep {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AcquireStep, any Error>) in
            let (immediate, watchers) = lock.withLock { state -> (AcquireStep?, [CheckedContinuation<Void, Never>]) in
                switch state.phases[key] {
                case nil:
                    state.phases[key] = .starting(waiters: [])
                    return (.start, [])
                case .running(let holder):
                    holder._withUnsafeGuaranteedRef { $0.countAcquire() }
                    return (.ready(holder, state.slots.issue(on: holder.toOpaque())), [])
                case .starting(var waiters):
                    waiters.append(continuation)
                    state.phases[key] = .starting(waiters: waiters)
                case .closing(var waiters):
                    waiters.append(continuation)
                    state.phases[key] = .closing(waiters: waiters)
                }
                state.parked += 1
                return (nil, state.parkedWatchers.takeSatisfied(by: state.parked))
            }
            for watcher in watchers { watcher.resume() }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    private func startClient(_ key: HostKey) async throws -> (Unmanaged<ClientHolder>, LeaseTicket) {
        let client = factory(key)
        do {
            try await client.start()
        } catch {
            let waiters = lock.withLock { state -> [CheckedContinuation<AcquireStep, any Error>] in
                state.startFailures += 1
                guard case .starting(let waiters) = state.phases.removeValue(forKey: key) else { return [] }
                state.parked -= waiters.count
                return waiters
            }
            let failure = TelemetryClientManagerError.startFailed(host: key.normalized, underlying: error)
            for waiter in waiters { waiter.resume(throwing: failure) }
            throw failure
        }
        let (mine, handedOut) = lock.withLock { state in
            var waiters: [CheckedContinuation<AcquireStep, any Error>] = []
            if case .starting(let parked) = state.phases[key] { waiters = parked }
            state.parked -= waiters.count
            state.clientsStarted += 1
            let holder = Unmanaged.passRetained(
                ClientHolder(key: key, client: client, references: 1 + waiters.count, manager: self))
            state.phases[key] = .running(holder)
            state.running.insert(holder)
            let mine = (holder, state.slots.issue(on: holder.toOpaque()))
            let handedOut = waiters.map { ($0, state.slots.issue(on: holder.toOpaque())) }
            return (mine, handedOut.map { ($0.0, AcquireStep.ready(holder, $0.1)) })
        }
        for (waiter, step) in handedOut { waiter.resume(returning: step) }
        return mine
    }

    // MARK: Release

    /// Closes `holder`'s client if no lease is left on it (called by the
    /// release that took the count to zero; a racing acquire may have raised it again).
    nonisolated(nonsending)
    func closeIfUnreferenced(_ holder: Unmanaged<ClientHolder>) async {
        let key = holder._withUnsafeGuaranteedRef { $0.key }
        let client = lock.withLock { state -> (any TelemetryClient)? in
            guard state.running.find(key)?.toOpaque() == holder.toOpaque(),
                  holder._withUnsafeGuaranteedRef({ $0.isUnreferenced })
            else { return nil }
            state.running.remove(key)
            state.phases[key] = .closing(waiters: [])
            return holder._withUnsafeGuaranteedRef { $0.client }
        }
        guard let client else { return }
        await finishClose(client, key: key, holder: holder)
    }

    private func finishClose(_ client: any TelemetryClient, key: HostKey, holder: Unmanaged<ClientHolder>) async {
        await client.close()
        let waiters = lock.withLock { state -> [CheckedContinuation<AcquireStep, any Error>] in
            state.clientsClosed += 1
            state.graveyard.removeAll { old in
                guard old.toOpaque() != holder.toOpaque(), old._withUnsafeGuaranteedRef({ $0.isUnreferenced })
                else { return false }
                old.release()
                return true
            }
            state.graveyard.append(holder)
            guard case .closing(let waiters) = state.phases[key] else { return [] }
            state.phases[key] = nil
            state.parked -= waiters.count
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: .retry) }
    }

    func shutdown() async {
        let running = lock.withLock { state -> [(HostKey, Unmanaged<ClientHolder>)] in
            let running = state.running.objects.map { holder in (holder._withUnsafeGuaranteedRef { $0.key }, holder) }
            for (key, _) in running {
                state.phases[key] = .closing(waiters: [])
                state.running.remove(key)
            }
            return running
        }
        await withDiscardingTaskGroup { group in
            for (key, holder) in running {
                let client = holder._withUnsafeGuaranteedRef { $0.client }
                group.addTask { await self.finishClose(client, key: key, holder: holder) }
            }
        }
    }

    /// Test support: returns once at least `count` acquirers are parked behind a start or a close.
    func waitForParkedAcquirers(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = lock.withLock { state in
                state.parkedWatchers.add(threshold: count, current: state.parked, continuation)
            }
            if ready { continuation.resume() }
        }
    }

    func snapshot() -> TelemetryClientManagerStatistics {
        let lockStatistics = lock.statistics
        return lock.withLock { state in
            TelemetryClientManagerStatistics(
                policy: .recommended,
                liveClients: state.phases.count,
                clientsStarted: state.clientsStarted,
                clientsClosed: state.clientsClosed,
                startFailures: state.startFailures,
                outstandingLeases: state.slots.outstanding,
                doubleReleases: state.slots.doubleReleases,
                negativeReleases: 0,
                locks: [lockStatistics])
        }
    }
}
