import Synchronization

/// What a lease reads on the hot path: the host's latest value and until when
/// it may be served without asking the slow path, packed in one atomic word.
///
/// Layout: bit 63 "has a value", bit 62 the value, bits 0–61 the instant
/// (nanoseconds) until which the fast path may answer. The slow path
/// republishes it, under the registry lock, whenever the decision changes:
/// after a fetch (until the refresh-ahead point), when a refresh starts (until
/// hard expiry), after a failure with a value (until the next attempt).
///
/// Leases refer to their handle unmanaged (no reference counting on the hot
/// path); the registry keeps it alive while any lease on it is out, and for one
/// more sweep after it is removed.
final class FlagEntryHandle: HostKeyed, Sendable {
    static let hasValueBit: UInt64 = 1 << 63
    static let valueBit: UInt64 = 1 << 62
    static let deadlineMask: UInt64 = (1 << 62) - 1

    let key: HostKey
    let snapshot = Atomic<UInt64>(0)
    let clock: any FlagClock
    /// The default clock is read directly rather than through the existential.
    let usesCoarseClock: Bool
    /// The owning cache, for the slow path. Unowned: the cache outlives every
    /// handle it hands out (``FeatureFlagCache`` keeps it alive while leases are out).
    unowned(unsafe) let cache: RecommendedFlagCache

    init(key: HostKey, clock: any FlagClock, cache: RecommendedFlagCache) {
        self.key = key
        self.clock = clock
        self.usesCoarseClock = clock is CoarseMonotonicClock
        self.cache = cache
    }

    @inline(__always)
    func nowNanoseconds() -> UInt64 {
        usesCoarseClock ? MonotonicTime.coarseNanoseconds() : clock.now().nanoseconds
    }

    /// The value if the fast path may serve it at `now`.
    @inline(__always)
    func fastValue(at now: UInt64) -> Bool? {
        let word = snapshot.load(ordering: .acquiring)
        if word & Self.hasValueBit != 0, now < word & Self.deadlineMask {
            return word & Self.valueBit != 0
        }
        return nil
    }

    func publish(value: Bool?, until deadline: FlagInstant) {
        guard let value else {
            snapshot.store(0, ordering: .releasing)
            return
        }
        let word = Self.hasValueBit | (value ? Self.valueBit : 0) | min(deadline.nanoseconds, Self.deadlineMask)
        snapshot.store(word, ordering: .releasing)
    }
}

extension Unmanaged where Instance == FlagEntryHandle {
    /// Publishes through the handle without reference counting.
    func publish(value: Bool?, until deadline: FlagInstant) {
        _withUnsafeGuaranteedRef { $0.publish(value: value, until: deadline) }
    }
}

/// The `recommended` policy's flag cache: every weakness of the reference design fixed.
///
/// - One fetch in flight per host; callers on a cold host wait for it
///   (bounded by the fetch timeout and their own cancellation) (W1); callers on
///   an expired host get the stale value while it runs.
/// - The value outlives the last release until it expires; expired,
///   unreferenced entries are swept once the registry grows, so memory is
///   bounded by the hosts seen within one TTL (W2).
/// - Keyed by ``HostKey/normalized``, the same normaliser as the client manager (W3).
/// - Leases are idempotent: a second release is a counted no-op (W4).
/// - Exponential backoff with jitter after failures, honouring `Retry-After`;
///   the stale value is served meanwhile (W7).
/// - The fetch runs in its own background task under its own timeout, so no
///   caller's cancellation can fail it for the others (W8).
/// - Refresh-ahead: in the last ``FlagCacheConfiguration/refreshAheadFraction``
///   of the TTL the first caller starts a background refresh and returns the
///   current value at once (W9).
/// - Whatever the fetch does, its completion clears the in-flight state (W10),
///   and the server's TTL is honoured within bounds.
///
/// All mutable state lives under one lock (`flagCache.registry`); a warm check
/// touches no lock, only the entry's atomic snapshot and the clock.
final class RecommendedFlagCache: Sendable {
    private struct Flight {
        /// When the flight opened (for ``FlagCacheStatistics/inFlightBeyondTimeout``).
        let startedAt: FlagInstant
        var waiters: [UInt64: CheckedContinuation<Bool, any Error>] = [:]
    }

    private struct Entry {
        let handle: Unmanaged<FlagEntryHandle>
        var value: Bool?
        var expiresAt = FlagInstant.zero
        var refreshAt = FlagInstant.zero
        var flight: Flight?
        var consecutiveFailures = 0
        var nextAttemptAt = FlagInstant.zero
        var lastError: (any Error)?

        init(handle: Unmanaged<FlagEntryHandle>) { self.handle = handle }
    }

    private struct State {
        /// The hot lookup (acquire, check by key): handles only, nothing to copy
        /// or reference-count. Each handle is retained once, by this map.
        var handles = HostTable<FlagEntryHandle>()
        /// The slow path's state per host.
        var entries: [HostKey: Entry] = [:]
        /// Handles removed by the last sweep, released at the next one, so that a
        /// lease misused after its release never reads freed memory in practice.
        var graveyard: [Unmanaged<FlagEntryHandle>] = []
        var slots = LeaseSlotPool()
        var nextSweepAt: Int
        var random: SplitMix64
        var counters = FetchCounters()
        var backgroundOutstanding = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        /// Callers parked on a flight, and those waiting (in tests) for that number to reach a count.
        var waitingCallers = 0
        var waitingWatchers = ThresholdWatchers()
    }

    private enum SlowDecision {
        case answer(Bool)
        case fail(any Error)
        case waiting
    }

    let fetcher: any FlagFetcher
    let clock: any FlagClock
    let configuration: FlagCacheConfiguration
    let spawner: any FlagTaskSpawner
    private let lock: InstrumentedLock<State>
    private let nextWaiterID = Atomic<UInt64>(0)
    private let usesCoarseClock: Bool

    init(fetcher: any FlagFetcher, clock: any FlagClock, configuration: FlagCacheConfiguration,
         spawner: any FlagTaskSpawner) {
        self.fetcher = fetcher
        self.clock = clock
        self.configuration = configuration
        self.spawner = spawner
        usesCoarseClock = clock is CoarseMonotonicClock
        lock = InstrumentedLock(name: "flagCache.registry", State(
            nextSweepAt: max(1, configuration.sweepThreshold),
            random: SplitMix64(seed: configuration.jitterSeed)))
    }

    deinit {
        lock.withLock { state in
            for handle in state.handles.objects { handle.release() }
            for handle in state.graveyard { handle.release() }
        }
    }

    // MARK: Leases

    func acquire(_ key: borrowing HostKey) -> (Unmanaged<FlagEntryHandle>, LeaseTicket) {
        // Through a pointer: a closure capturing the key itself copies its four strings.
        withUnsafePointer(to: key) { key in
            lock.withLock { state in
                let handle: Unmanaged<FlagEntryHandle>
                if let existing = state.handles.find(key.pointee) {
                    handle = existing
                } else {
                    if state.entries.count >= state.nextSweepAt { sweep(&state, now: clock.now()) }
                    handle = Unmanaged.passRetained(FlagEntryHandle(key: key.pointee, clock: clock, cache: self))
                    state.handles.insert(handle)
                    state.entries[key.pointee] = Entry(handle: handle)
                }
                return (handle, state.slots.issue(on: handle.toOpaque()))
            }
        }
    }

    /// Whether any lease is still out (the façade keeps the cache alive if so).
    var hasOutstandingLeases: Bool { lock.withLock { $0.slots.outstanding > 0 } }

    // MARK: Checks

    /// The answer by host key without waiting: `false` for an unknown host (as
    /// in the Go code), the value when fresh, `nil` when the slow path must decide.
    func cachedValue(key: borrowing HostKey) -> Bool? {
        let now = usesCoarseClock ? MonotonicTime.coarseNanoseconds() : clock.now().nanoseconds
        // Through a pointer: a closure capturing the key itself copies its four strings.
        return withUnsafePointer(to: key) { key in
            lock.withLock { state in
                guard let handle = state.handles.find(key.pointee) else { return false }
                return handle._withUnsafeGuaranteedRef { $0.fastValue(at: now) }
            }
        }
    }

    /// The slow path: decide under the lock; wait for the host's one flight if needed.
    @inline(never)
    nonisolated(nonsending)
    func isEnabledSlow(key: HostKey) async throws -> Bool {
        let waiterID = nextWaiterID.wrappingAdd(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
                let now = clock.now()
                let (decision, spawnFlight, watchers) = lock.withLock { state in
                    let (decision, spawn) = decide(
                        &state, key: key, now: now, waiterID: waiterID, continuation: continuation)
                    return (decision, spawn, state.waitingWatchers.takeSatisfied(by: state.waitingCallers))
                }
                for watcher in watchers { watcher.resume() }
                if spawnFlight { startFlight(key) }
                switch decision {
                case .answer(let value): continuation.resume(returning: value)
                case .fail(let error): continuation.resume(throwing: error)
                case .waiting: break
                }
            }
        } onCancel: {
            let continuation = lock.withLock { state in
                let removed = state.entries[key]?.flight?.waiters.removeValue(forKey: waiterID)
                if removed != nil { state.waitingCallers -= 1 }
                return removed
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    /// The slow path's decision, under the lock. Returns what to tell the caller
    /// and whether a new fetch must be spawned (after the lock is released).
    private func decide(
        _ state: inout State, key: HostKey, now: FlagInstant, waiterID: UInt64,
        continuation: CheckedContinuation<Bool, any Error>
    ) -> (SlowDecision, Bool) {
        guard var entry = state.entries[key] else {
            return (.answer(false), false)  // unknown, or swept while unreferenced: like "no context"
        }
        defer { state.entries[key] = entry }

        // Fresh value: we are in the refresh-ahead window, or the snapshot lags.
        if let value = entry.value, now < entry.expiresAt {
            if entry.flight == nil, now >= entry.refreshAt, now >= entry.nextAttemptAt {
                let spawn = beginFlightIfIdle(&entry, &state)
                entry.handle.publish(value: value, until: entry.expiresAt)
                return (.answer(value), spawn)
            }
            let until = entry.flight != nil ? entry.expiresAt : max(entry.refreshAt, entry.nextAttemptAt)
            entry.handle.publish(value: value, until: min(until, entry.expiresAt))
            return (.answer(value), false)
        }
        // Expired or cold, backing off after a failure: stale value, or the last error.
        if entry.flight == nil, now < entry.nextAttemptAt {
            if let value = entry.value {
                entry.handle.publish(value: value, until: entry.nextAttemptAt)
                return (.answer(value), false)
            }
            return (.fail(entry.lastError ?? FlagFetchError(.transport, message: "backing off")), false)
        }
        // Expired with a value: serve it stale while one refresh runs (a hung
        // server must not stall every connection for a fetch timeout).
        if let value = entry.value {
            let spawn = beginFlightIfIdle(&entry, &state)
            entry.handle.publish(value: value, until: now + configuration.fetchTimeout)
            return (.answer(value), spawn)
        }
        // Cold: wait for the one fetch.
        if Task.isCancelled { return (.fail(CancellationError()), false) }
        let spawn = beginFlightIfIdle(&entry, &state)
        entry.flight!.waiters[waiterID] = continuation
        state.waitingCallers += 1
        return (.waiting, spawn)
    }

    /// Opens the host's one flight unless one is open; returns whether the
    /// caller must spawn it (after the lock is released).
    private func beginFlightIfIdle(_ entry: inout Entry, _ state: inout State) -> Bool {
        guard entry.flight == nil else { return false }
        entry.flight = Flight(startedAt: clock.now())
        state.counters.started += 1
        state.backgroundOutstanding += 1
        return true
    }

    // MARK: Fetching

    private func startFlight(_ key: HostKey) {
        spawner.spawn { [self] in
            let outcome: Result<FlagFetchResult, any Error>
            do {
                outcome = .success(try await FetchWithTimeout.run(
                    fetcher, host: key, clock: clock, timeout: configuration.fetchTimeout))
            } catch {
                outcome = .failure(error)
            }
            complete(key, outcome)
        }
    }

    /// Records a fetch's outcome and answers its waiters. Runs for every flight
    /// whatever the fetcher did, so the in-flight state is always cleared (W10).
    private func complete(_ key: HostKey, _ outcome: Result<FlagFetchResult, any Error>) {
        let now = clock.now()
        let (waiters, answer, idle) = lock.withLock { state in
            state.backgroundOutstanding -= 1
            let idle = state.backgroundOutstanding == 0 ? state.idleWaiters : []
            if state.backgroundOutstanding == 0 { state.idleWaiters = [] }
            guard var entry = state.entries[key] else {  // never: entries with a flight are not swept
                return ([CheckedContinuation<Bool, any Error>](), Result<Bool, any Error>.success(false), idle)
            }
            // In arrival order (waiter IDs increase): a dictionary's order changes from run to run, and a
            // simulated run must resume them in the same order every time to replay.
            let waiters = (entry.flight?.waiters ?? [:]).sorted { $0.key < $1.key }.map(\.value)
            state.waitingCallers -= waiters.count
            entry.flight = nil
            let answer: Result<Bool, any Error>
            switch outcome {
            case .success(let result):
                state.counters.succeeded += 1
                let ttl = clampedTTL(result.ttl)
                entry.value = result.enabled
                entry.expiresAt = now + ttl
                entry.refreshAt = now + ttl * (1 - min(max(configuration.refreshAheadFraction, 0), 1))
                entry.consecutiveFailures = 0
                entry.nextAttemptAt = .zero
                entry.lastError = nil
                entry.handle.publish(value: result.enabled, until: entry.refreshAt)
                answer = .success(result.enabled)
            case .failure(let error):
                state.counters.failed += 1
                entry.consecutiveFailures += 1
                entry.nextAttemptAt = now + backoff(after: entry.consecutiveFailures, error: error, random: &state.random)
                entry.lastError = error
                if let value = entry.value {
                    entry.handle.publish(value: value, until: entry.nextAttemptAt)
                    answer = .success(value)
                } else {
                    answer = .failure(error)
                }
            }
            state.entries[key] = entry
            return (waiters, answer, idle)
        }
        for waiter in waiters { waiter.resume(with: answer) }
        for waiter in idle { waiter.resume() }
    }

    private func clampedTTL(_ advertised: Duration?) -> Duration {
        guard let advertised else { return configuration.ttl }
        return min(max(advertised, configuration.ttlBounds.lowerBound), configuration.ttlBounds.upperBound)
    }

    /// Exponential backoff with "equal jitter" (half fixed, half random), never
    /// shorter than the server's `Retry-After`, both capped.
    private func backoff(after failures: Int, error: any Error, random: inout SplitMix64) -> Duration {
        let cap = configuration.backoffCap
        let exponent = min(failures - 1, 30)
        let full = min(configuration.backoffBase * (1 << exponent), cap)
        let jittered = full / 2 + (full / 2) * random.nextUnitInterval()
        if let retryAfter = (error as? FlagFetchError)?.retryAfter {
            return min(max(jittered, retryAfter), cap)
        }
        return jittered
    }

    // MARK: Housekeeping

    /// Removes entries that no lease refers to, with no fetch in flight, whose
    /// value has expired (or never came) and whose backoff has passed.
    @discardableResult
    private func sweep(_ state: inout State, now: FlagInstant) -> Int {
        let referenced = state.slots.outstandingHolders
        var removed: [Unmanaged<FlagEntryHandle>] = []
        state.entries = state.entries.filter { _, entry in
            let sweepable = entry.flight == nil && !referenced.contains(entry.handle.toOpaque())
                && (entry.value == nil || entry.expiresAt <= now) && entry.nextAttemptAt <= now
            if sweepable { removed.append(entry.handle) }
            return !sweepable
        }
        for handle in removed {
            _ = handle._withUnsafeGuaranteedRef { state.handles.remove($0.key) }
        }
        for handle in state.graveyard { handle.release() }
        state.graveyard = removed
        state.nextSweepAt = max(configuration.sweepThreshold, state.entries.count * 2)
        return removed.count
    }

    func sweep() -> Int {
        let now = clock.now()
        return lock.withLock { sweep(&$0, now: now) }
    }

    func waitForBackgroundWork() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let idle = lock.withLock { state -> Bool in
                if state.backgroundOutstanding == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    /// Returns once at least `count` callers are parked on fetches (lets tests
    /// know a herd has fully arrived before they let the fetch finish).
    func waitForWaitingCallers(atLeast count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = lock.withLock { state in
                state.waitingWatchers.add(threshold: count, current: state.waitingCallers, continuation)
            }
            if ready { continuation.resume() }
        }
    }

    func snapshot() -> FlagCacheStatistics {
        let statistics = lock.statistics
        let now = clock.now()
        let bound = configuration.stuckFetchBound
        return lock.withLock { state in
            FlagCacheStatistics(
                policy: .recommended,
                entries: state.entries.count,
                referencedEntries: state.slots.outstandingHolders.count,
                outstandingLeases: state.slots.outstanding,
                doubleReleases: state.slots.doubleReleases,
                fetches: state.counters,
                inFlight: state.entries.values.filter { $0.flight != nil }.count,
                inFlightBeyondTimeout: state.entries.values.filter { entry in
                    entry.flight.map { now > $0.startedAt && now - $0.startedAt > bound } ?? false
                }.count,
                waitingCallers: state.waitingCallers,
                backgroundTasksOutstanding: state.backgroundOutstanding,
                leaseSlots: state.slots.slots.count,
                locks: [statistics])
        }
    }
}

/// A tiny seeded generator (SplitMix64) for backoff jitter: deterministic per seed, no allocation.
/// (`package`: the harness draws its per-connection choices with it too.)
package struct SplitMix64: Sendable {
    private var state: UInt64

    package init(seed: UInt64) { state = seed }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform value in [0, 1).
    mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }
}
