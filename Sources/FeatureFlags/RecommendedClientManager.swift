import Synchronization

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
final class RecommendedClientManager: Sendable {
    private enum Phase {
        case starting(waiters: [CheckedContinuation<AcquireStep, any Error>])
        case running(client: any TelemetryClient, references: Int)
        case closing(waiters: [CheckedContinuation<AcquireStep, any Error>])
    }

    private struct Holder {
        let id: UInt64
        var phase: Phase
    }

    private struct State {
        var holders: [HostKey: Holder] = [:]
        var slots = LeaseSlotPool()
        var nextHolderID: UInt64 = 0
        var clientsStarted: UInt64 = 0
        var clientsClosed: UInt64 = 0
        var startFailures: UInt64 = 0
        /// Acquirers parked behind a starting or closing client, and test watchers of that number.
        var parked = 0
        var parkedWatchers = ThresholdWatchers()
    }

    enum AcquireStep: Sendable {
        case ready(any TelemetryClient, holderID: UInt64, LeaseTicket)
        case start(holderID: UInt64)
        case retry
    }

    let factory: TelemetryClientFactory
    private let lock = InstrumentedLock(name: "clientManager.registry", State())
    private let doubleReleaseCount = Atomic<UInt64>(0)

    init(factory: @escaping TelemetryClientFactory) { self.factory = factory }

    func acquire(_ key: HostKey) async throws -> (any TelemetryClient, holderID: UInt64, LeaseTicket) {
        while true {
            // Fast path: a running client, no suspension.
            let fast = lock.withLock { state -> AcquireStep? in
                guard var holder = state.holders[key], case .running(let client, let references) = holder.phase
                else { return nil }
                holder.phase = .running(client: client, references: references + 1)
                state.holders[key] = holder
                return .ready(client, holderID: holder.id, state.slots.issue())
            }
            let step = if let fast { fast } else { try await slowStep(key) }

            switch step {
            case .ready(let client, let holderID, let ticket):
                return (client, holderID, ticket)
            case .retry:
                continue
            case .start(let holderID):
                return try await startClient(key, holderID: holderID)
            }
        }
    }

    /// Decides, and parks if the host's client is starting or closing.
    private func slowStep(_ key: HostKey) async throws -> AcquireStep {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<AcquireStep, any Error>) in
            let (immediate, watchers) = lock.withLock { state -> (AcquireStep?, [CheckedContinuation<Void, Never>]) in
                guard var holder = state.holders[key] else {
                    state.nextHolderID += 1
                    state.holders[key] = Holder(id: state.nextHolderID, phase: .starting(waiters: []))
                    return (.start(holderID: state.nextHolderID), [])
                }
                switch holder.phase {
                case .running(let client, let references):
                    holder.phase = .running(client: client, references: references + 1)
                    state.holders[key] = holder
                    return (.ready(client, holderID: holder.id, state.slots.issue()), [])
                case .starting(var waiters):
                    waiters.append(continuation)
                    holder.phase = .starting(waiters: waiters)
                case .closing(var waiters):
                    waiters.append(continuation)
                    holder.phase = .closing(waiters: waiters)
                }
                state.holders[key] = holder
                state.parked += 1
                return (nil, state.parkedWatchers.takeSatisfied(by: state.parked))
            }
            for watcher in watchers { watcher.resume() }
            if let immediate { continuation.resume(returning: immediate) }
        }
    }

    private func startClient(
        _ key: HostKey, holderID: UInt64
    ) async throws -> (any TelemetryClient, holderID: UInt64, LeaseTicket) {
        let client = factory(key)
        do {
            try await client.start()
        } catch {
            let waiters = lock.withLock { state -> [CheckedContinuation<AcquireStep, any Error>] in
                state.startFailures += 1
                guard let holder = state.holders.removeValue(forKey: key) else { return [] }
                if case .starting(let waiters) = holder.phase {
                    state.parked -= waiters.count
                    return waiters
                }
                return []
            }
            let failure = TelemetryClientManagerError.startFailed(host: key.normalized, underlying: error)
            for waiter in waiters { waiter.resume(throwing: failure) }
            throw failure
        }
        let (mine, handedOut) = lock.withLock { state in
            var waiters: [CheckedContinuation<AcquireStep, any Error>] = []
            if case .starting(let parked) = state.holders[key]?.phase { waiters = parked }
            state.parked -= waiters.count
            state.clientsStarted += 1
            state.holders[key] = Holder(id: holderID, phase: .running(client: client, references: 1 + waiters.count))
            let mine = state.slots.issue()
            let handedOut = waiters.map { ($0, state.slots.issue()) }
            return (mine, handedOut)
        }
        for (waiter, ticket) in handedOut {
            waiter.resume(returning: .ready(client, holderID: holderID, ticket))
        }
        return (client, holderID, mine)
    }

    func release(_ key: HostKey, holderID: UInt64, ticket: LeaseTicket) async {
        guard ticket.release() else {
            doubleReleaseCount.wrappingAdd(1, ordering: .relaxed)
            return
        }
        let toClose = lock.withLock { state -> (any TelemetryClient)? in
            guard var holder = state.holders[key], holder.id == holderID,
                  case .running(let client, let references) = holder.phase else { return nil }
            if references > 1 {
                holder.phase = .running(client: client, references: references - 1)
                state.holders[key] = holder
                return nil
            }
            holder.phase = .closing(waiters: [])
            state.holders[key] = holder
            return client
        }
        guard let toClose else { return }
        await close(toClose, key: key, holderID: holderID)
    }

    private func close(_ client: any TelemetryClient, key: HostKey, holderID: UInt64) async {
        await client.close()
        let waiters = lock.withLock { state -> [CheckedContinuation<AcquireStep, any Error>] in
            state.clientsClosed += 1
            guard let holder = state.holders[key], holder.id == holderID else { return [] }
            state.holders[key] = nil
            if case .closing(let waiters) = holder.phase {
                state.parked -= waiters.count
                return waiters
            }
            return []
        }
        for waiter in waiters { waiter.resume(returning: .retry) }
    }

    func shutdown() async {
        let running = lock.withLock { state -> [(HostKey, UInt64, any TelemetryClient)] in
            var running: [(HostKey, UInt64, any TelemetryClient)] = []
            for (key, holder) in state.holders {
                if case .running(let client, _) = holder.phase {
                    running.append((key, holder.id, client))
                    state.holders[key]!.phase = .closing(waiters: [])
                }
            }
            return running
        }
        await withDiscardingTaskGroup { group in
            for (key, holderID, client) in running {
                group.addTask { await self.close(client, key: key, holderID: holderID) }
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
                liveClients: state.holders.count,
                clientsStarted: state.clientsStarted,
                clientsClosed: state.clientsClosed,
                startFailures: state.startFailures,
                outstandingLeases: state.slots.outstanding,
                doubleReleases: doubleReleaseCount.load(ordering: .relaxed),
                negativeReleases: 0,
                locks: [lockStatistics])
        }
    }
}
