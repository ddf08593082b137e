import Synchronization

/// A running client and the count of leases on it.
///
/// Created when the client's `start()` succeeded; immutable but for its lease
/// counts. Leases refer to it unmanaged (no reference counting per acquire or
/// release). The manager owns it (``RecommendedClientManager``'s `alive` map)
/// until it is closed and no lease is left on it; a releaser touches it only
/// before its own release is counted (so it cannot be freed under it) or under
/// the manager's lock after finding it still in `alive`.
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
    /// no atomic read-modify-write. A release reads `acquired` first, then
    /// counts itself; if its count reaches what it read, it may be the last and
    /// confirms under the lock, where no acquire can slip in, before closing.
    let released = Atomic<UInt64>(0)

    init(key: HostKey, client: any TelemetryClient, references: Int) {
        self.key = key
        self.client = client
        self.acquired.store(UInt64(references), ordering: .relaxed)
    }

    /// Counts one more lease. Call only under the manager's lock.
    @inline(__always)
    func countAcquire() {
        acquired.store(acquired.load(ordering: .relaxed) &+ 1, ordering: .releasing)
    }

    /// Counts a release; returns whether it may have been the last.
    ///
    /// `acquired` is read before the release is counted: once it is counted,
    /// the holder may be freed by another thread's close, so it must not be
    /// touched again here. A stale (smaller) `acquired` only sends a release to
    /// the slow path needlessly; it can never hide the last one.
    @inline(__always)
    func countRelease() -> Bool {
        let acquiredSoFar = acquired.load(ordering: .acquiring)
        let releasedNow = released.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue
        return releasedNow >= acquiredSoFar
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
        /// Every holder not yet freed (running, closing, or closed with leases
        /// still out after `shutdown()`), each retained once by this map. A
        /// holder leaves it, and is freed, once it is closed and unreferenced.
        var alive: [ObjectIdentifier: Unmanaged<ClientHolder>] = [:]
        /// Holders whose close is under way (their close frees them if unreferenced).
        var closing: Set<ObjectIdentifier> = []
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

    /// Test only: the planted check-then-act race in ``releaseSlowly(_:)`` (see ``TelemetryClientManager/init(policy:plantedRace:factory:)``).
    let plantedRace: Bool

    init(factory: @escaping TelemetryClientFactory, plantedRace: Bool = false) {
        self.factory = factory
        self.plantedRace = plantedRace
    }

    deinit {
        let holders = lock.withLock { state in Array(state.alive.values) }
        for holder in holders { holder.release() }
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
            #if FLAGSTORM_PERTURB
            await SchedulePerturbation.point()
            #endif
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
                ClientHolder(key: key, client: client, references: 1 + waiters.count))
            state.phases[key] = .running(holder)
            state.running.insert(holder)
            state.alive[holder.identity] = holder
            let mine = (holder, state.slots.issue(on: holder.toOpaque()))
            let handedOut = waiters.map { ($0, state.slots.issue(on: holder.toOpaque())) }
            return (mine, handedOut.map { ($0.0, AcquireStep.ready(holder, $0.1)) })
        }
        for (waiter, step) in handedOut { waiter.resume(returning: step) }
        return mine
    }

    // MARK: Release

    /// The slow half of a release whose count may have been the last on
    /// `holder`: closes its client if no lease is left and it is still the
    /// host's running client, and frees a closed holder nobody refers to any more.
    ///
    /// `holder` is only an identity here until it is found in `alive` under the lock.
    nonisolated(nonsending)
    func releaseSlowly(_ holder: ObjectIdentifier) async {
        if plantedRace {
            await releaseWithPlantedRace(holder)
            return
        }
        #if FLAGSTORM_PERTURB
        await SchedulePerturbation.point()
        #endif
        let (toClose, toFree) = lock.withLock { state -> ((any TelemetryClient, HostKey, ObjectIdentifier)?, Unmanaged<ClientHolder>?) in
            guard let live = state.alive[holder] else { return (nil, nil) }  // freed already
            let (key, unreferenced, client) = live._withUnsafeGuaranteedRef { ($0.key, $0.isUnreferenced, $0.client) }
            guard unreferenced else { return (nil, nil) }  // a new lease came in meanwhile
            if state.closing.contains(holder) { return (nil, nil) }  // its close will free it
            if state.running.find(key)?.identity == holder {
                state.running.remove(key)
                state.phases[key] = .closing(waiters: [])
                state.closing.insert(holder)
                return ((client, key, holder), nil)
            }
            state.alive[holder] = nil  // closed earlier (by shutdown) and now unreferenced
            return (nil, live)
        }
        toFree?.release()
        if let (client, key, holder) = toClose {
            await finishClose(client, key: key, holder: holder)
        }
    }

    /// The planted race (tests only): decides under the lock that the client is unreferenced, lets
    /// other tasks run, then closes it under the lock again *without checking again*, so an acquire
    /// in between gets a client that is then closed under it (W4's symptom, in the fixed design).
    nonisolated(nonsending)
    private func releaseWithPlantedRace(_ holder: ObjectIdentifier) async {
        let unreferenced = lock.withLock { state -> Bool in
            guard let live = state.alive[holder], !state.closing.contains(holder) else { return false }
            let key = live._withUnsafeGuaranteedRef { $0.key }
            return live._withUnsafeGuaranteedRef { $0.isUnreferenced } && state.running.find(key)?.identity == holder
        }
        guard unreferenced else { return }
        await Task.yield()
        let toClose = lock.withLock { state -> (any TelemetryClient, HostKey)? in
            guard let live = state.alive[holder], !state.closing.contains(holder) else { return nil }
            let (key, client) = live._withUnsafeGuaranteedRef { ($0.key, $0.client) }
            guard state.running.find(key)?.identity == holder else { return nil }
            state.running.remove(key)
            state.phases[key] = .closing(waiters: [])
            state.closing.insert(holder)
            return (client, key)
        }
        if let (client, key) = toClose { await finishClose(client, key: key, holder: holder) }
    }

    private func finishClose(_ client: any TelemetryClient, key: HostKey, holder: ObjectIdentifier) async {
        #if FLAGSTORM_PERTURB
        await SchedulePerturbation.point()
        #endif
        await client.close()
        let (waiters, toFree) = lock.withLock { state -> ([CheckedContinuation<AcquireStep, any Error>], Unmanaged<ClientHolder>?) in
            state.clientsClosed += 1
            state.closing.remove(holder)
            var toFree: Unmanaged<ClientHolder>?
            if let live = state.alive[holder], live._withUnsafeGuaranteedRef({ $0.isUnreferenced }) {
                state.alive[holder] = nil
                toFree = live
            }
            guard case .closing(let waiters) = state.phases[key] else { return ([], toFree) }
            state.phases[key] = nil
            state.parked -= waiters.count
            return (waiters, toFree)
        }
        toFree?.release()  // outside the lock: the client's deinit may do anything
        for waiter in waiters { waiter.resume(returning: .retry) }
    }

    func shutdown() async {
        let running = lock.withLock { state -> [(HostKey, ObjectIdentifier, any TelemetryClient)] in
            // By host name: the table's order follows hashing, which changes from process to process,
            // and a simulated run must close them in the same order every time to replay.
            let running = state.running.objects.map { holder in
                holder._withUnsafeGuaranteedRef { ($0.key, ObjectIdentifier($0), $0.client) }
            }.sorted { $0.0.normalized < $1.0.normalized }
            for (key, holder, _) in running {
                state.phases[key] = .closing(waiters: [])
                state.running.remove(key)
                state.closing.insert(holder)
            }
            return running
        }
        await withDiscardingTaskGroup { group in
            for (key, holder, client) in running {
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
                leaseSlots: state.slots.slots.count,
                locks: [lockStatistics])
        }
    }
}

extension Unmanaged where Instance == ClientHolder {
    /// The holder's identity, without touching it.
    var identity: ObjectIdentifier { _withUnsafeGuaranteedRef { ObjectIdentifier($0) } }
}
