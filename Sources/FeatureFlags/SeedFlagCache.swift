/// The `seed` policy's flag cache: the Go reference design, weaknesses included.
///
/// Deliberately reproduced (see REFERENCE-BEHAVIOUR.md):
/// - keyed by the raw host string (W3);
/// - the last release deletes the context and its cached value (W2);
/// - release is per host, so a double release drops others' state (W4);
/// - a caller arriving while a fetch is in flight gets the stale value or
///   `false` (W1); there is no backoff (W7); the fetch runs in the first
///   caller's task and dies with its cancellation (W8); refresh happens on the
///   caller's path (W9); a "panic" in the fetch leaves `fetching` set (W10);
/// - the server's TTL is ignored.
///
/// One deviation, for simplicity and with no observable effect on answers or
/// fetch counts: the Go code guarded its map with a global read-write lock and
/// each context with its own mutex; here one lock guards both, so `seed`'s
/// contention figures describe that one lock (`flagCache.registry`).
final class SeedFlagCache: Sendable {
    struct Context {
        let id: UInt64
        var references = 0
        var value: Bool?
        var fetchedAt = FlagInstant.zero
        var fetching = false
        /// When `fetching` was set (for ``FlagCacheStatistics/inFlightBeyondTimeout``).
        var fetchStartedAt = FlagInstant.zero
    }

    struct State {
        var contexts: [String: Context] = [:]
        var nextID: UInt64 = 0
        var counters = FetchCounters()
    }

    private enum Decision {
        case answer(Bool)
        /// Fetch for this context; `stale` is its value now, which the Go code
        /// still returns on error through its pointer if the context is deleted meanwhile.
        case fetch(contextID: UInt64, stale: Bool?)
    }

    let fetcher: any FlagFetcher
    let clock: any FlagClock
    let configuration: FlagCacheConfiguration
    private let lock: InstrumentedLock<State>

    init(fetcher: any FlagFetcher, clock: any FlagClock, configuration: FlagCacheConfiguration) {
        self.fetcher = fetcher
        self.clock = clock
        self.configuration = configuration
        lock = InstrumentedLock(name: "flagCache.registry", State())
    }

    /// Go's `getOrCreateContext`: create if missing, count one reference.
    func acquire(_ raw: String) {
        lock.withLock { state in
            if state.contexts[raw] == nil {
                state.nextID += 1
                state.contexts[raw] = Context(id: state.nextID)
            }
            state.contexts[raw]!.references += 1
        }
    }

    /// Go's `releaseContext`: one reference less; at zero or below the context (and its value) is deleted.
    func release(_ raw: String) {
        lock.withLock { state in
            guard var context = state.contexts[raw] else { return }
            context.references -= 1
            state.contexts[raw] = context.references <= 0 ? nil : context
        }
    }

    /// The answer if the Go code would give it from the cache without fetching:
    /// no context → `false`, a fresh value → it. `nil` otherwise (including
    /// "a fetch is in flight", which ``isEnabled(_:)`` answers, so that the
    /// decision to fetch is taken in one place).
    func cachedValue(_ raw: borrowing String) -> Bool? {
        let now = clock.now()
        let ttl = configuration.ttl
        // Through a pointer: a closure capturing the string itself retains it.
        return withUnsafePointer(to: raw) { raw in
            lock.withLock { state in
                guard let context = state.contexts[raw.pointee] else { return false }
                if let value = context.value, now - context.fetchedAt < ttl { return value }
                return nil
            }
        }
    }

    /// Go's `isTelemetryEnabled`.
    nonisolated(nonsending)
    func isEnabled(_ raw: String) async throws -> Bool {
        let now = clock.now()
        let ttl = configuration.ttl
        let decision = lock.withLock { state -> Decision in
            guard var context = state.contexts[raw] else { return .answer(false) }
            if let value = context.value, now - context.fetchedAt < ttl { return .answer(value) }
            if context.fetching { return .answer(context.value ?? false) }
            context.fetching = true
            context.fetchStartedAt = now
            state.contexts[raw] = context
            state.counters.started += 1
            return .fetch(contextID: context.id, stale: context.value)
        }
        guard case .fetch(let contextID, let staleAtStart) = decision else {
            if case .answer(let value) = decision { return value }
            return false
        }

        let outcome: Result<FlagFetchResult, any Error>
        do {
            // The caller's own task runs the fetch: its cancellation cancels it (W8).
            outcome = .success(try await FetchWithTimeout.run(
                fetcher, host: HostKey(raw), clock: clock, timeout: configuration.fetchTimeout))
        } catch {
            outcome = .failure(error)
        }

        let completedAt = clock.now()
        let stale = lock.withLock { state -> Bool? in
            switch outcome {
            case .success: state.counters.succeeded += 1
            case .failure: state.counters.failed += 1
            }
            // The Go code writes into the context it started with, even if that
            // context has since been deleted (then the write is simply lost).
            guard var context = state.contexts[raw], context.id == contextID else { return staleAtStart }
            if case .failure(let error) = outcome, error is FlagFetchPanic {
                return context.value  // W10: no deferred reset, `fetching` stays set
            }
            context.fetching = false
            if case .success(let result) = outcome {
                context.value = result.enabled
                context.fetchedAt = completedAt
            }
            state.contexts[raw] = context
            return context.value
        }
        switch outcome {
        case .success(let result): return result.enabled
        case .failure(let error):
            if let stale { return stale }
            throw error
        }
    }

    func snapshot() -> FlagCacheStatistics {
        let statistics = lock.statistics
        let now = clock.now()
        let bound = configuration.stuckFetchBound
        return lock.withLock { state in
            FlagCacheStatistics(
                policy: .seed,
                entries: state.contexts.count,
                referencedEntries: state.contexts.values.filter { $0.references > 0 }.count,
                outstandingLeases: state.contexts.values.reduce(0) { $0 + max(0, $1.references) },
                doubleReleases: 0,
                fetches: state.counters,
                inFlight: state.contexts.values.filter(\.fetching).count,
                inFlightBeyondTimeout: state.contexts.values.filter {
                    $0.fetching && now > $0.fetchStartedAt && now - $0.fetchStartedAt > bound
                }.count,
                waitingCallers: 0,
                backgroundTasksOutstanding: 0,
                leaseSlots: 0,
                locks: [statistics])
        }
    }
}
