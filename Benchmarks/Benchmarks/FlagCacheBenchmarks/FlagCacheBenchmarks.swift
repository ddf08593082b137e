import Benchmark
import FeatureFlags
import Synchronization

// Hot-path micro-benchmarks of the FlagStorm core.
//
// Every benchmark runs one million operations per sample (`scalingFactor:
// .mega`, `for _ in benchmark.scaledIterations`), so the scaled figures the
// tool prints are per operation: wall clock in ns/op, throughput in ops/s,
// malloc count per op (a steady state that allocates prints 0 only when it
// allocates less than once per two million operations).
//
// The cache, its leases and the warming fetch are built once per benchmark in
// its setup hook, outside every measured region; each sample measures only the
// loop. The `.1task`/`.2tasks` variants run their child tasks on threads of
// their own (see DedicatedThreadExecutor.swift for why). See README.md for the
// goals and the Go original's figures.

/// A fetcher that answers at once from memory: the benchmarks measure the
/// cache, never a fetch (each cache fetches exactly once, while warming).
struct ConstantFlagFetcher: FlagFetcher {
    /// The answer every fetch returns.
    let enabled: Bool

    func fetchFlag(for host: HostKey) async throws -> FlagFetchResult {
        FlagFetchResult(enabled: enabled)
    }
}

/// Why a fixture's self-check failed.
struct FixtureError: Error, CustomStringConvertible {
    let description: String
}

/// The host every benchmark talks to: long enough (28 bytes) not to be a
/// small string, as real workspace hosts are.
let benchmarkHost = "example.cloud.databricks.com"

/// A warm flag cache for one host: leases taken and the value fetched once.
final class FlagCacheFixture: Sendable {
    let cache: FeatureFlagCache
    /// Built once, outside every loop.
    let key: HostKey
    /// Held for the fixture's whole life, so the host's entry (and, under
    /// `seed`, its cached value) stays while the loops acquire and release.
    let anchor: FlagLease
    /// One lease per concurrent child task, all on the same host.
    let taskLeases: [FlagLease]
    /// One thread per concurrent child task (see ``DedicatedThreadExecutor`` for why).
    let executors: [DedicatedThreadExecutor]

    /// Builds and warms the cache; `workers` is the number of concurrent child tasks to prepare for.
    init(policy: FlagCachePolicy, workers: Int = 0) async throws {
        let cache = FeatureFlagCache(policy: policy, fetcher: ConstantFlagFetcher(enabled: true))
        let key = HostKey(benchmarkHost)
        self.cache = cache
        self.key = key
        anchor = cache.acquire(key)
        taskLeases = (0..<workers).map { _ in cache.acquire(key) }
        executors = (0..<workers).map { DedicatedThreadExecutor(name: "bench-worker-\($0)") }
        // Warm: the first check fetches (and waits for the fetch), the second must be served from the cache.
        guard try await anchor.isEnabled(), try await anchor.isEnabled() else {
            throw FixtureError(description: "warm check answered false")
        }
        for lease in taskLeases {
            guard try await lease.isEnabled() else { throw FixtureError(description: "a task lease answered false") }
        }
        guard try await cache.isEnabled(host: key) else {
            throw FixtureError(description: "check by host key answered false")
        }
    }

    /// Releases the leases and checks the loops never made the cache fetch again.
    func tearDown() async throws {
        for executor in executors { executor.stop() }
        for lease in taskLeases { lease.release() }
        anchor.release()
        await cache.shutdown()
        let statistics = cache.statistics
        guard statistics.fetches.started == 1, statistics.outstandingLeases == 0 else {
            throw FixtureError(description: """
                expected one fetch and no outstanding lease, got \(statistics.fetches.started) fetches \
                and \(statistics.outstandingLeases) leases
                """)
        }
    }
}

/// A client manager with a running client for one host.
final class ClientManagerFixture: Sendable {
    let manager: TelemetryClientManager
    let key: HostKey
    /// Held for the fixture's whole life, so the loops never close the client.
    let anchor: ClientLease

    init(policy: FlagCachePolicy) async throws {
        manager = TelemetryClientManager(policy: policy) { CountingTelemetryClient(host: $0) }
        key = HostKey(benchmarkHost)
        anchor = try await manager.acquire(key)
    }

    /// Releases the anchor and checks that exactly one client was started and closed.
    func tearDown() async throws {
        await anchor.release()
        await manager.shutdown()
        let statistics = manager.statistics
        guard statistics.clientsStarted == 1, statistics.clientsClosed == 1 else {
            throw FixtureError(description: """
                expected one client started and closed, got \(statistics.clientsStarted) started \
                and \(statistics.clientsClosed) closed
                """)
        }
    }
}

/// Holds a benchmark's fixture from its setup hook to its teardown hook (the
/// tool's hooks share no state with the measured closure but what they capture).
final class FixtureSlot<Fixture: Sendable>: Sendable {
    private let slot = Mutex<Fixture?>(nil)

    func store(_ fixture: Fixture?) { slot.withLock { $0 = fixture } }

    func load() throws -> Fixture {
        guard let fixture = slot.withLock({ $0 }) else {
            throw FixtureError(description: "fixture missing: setup did not run or failed")
        }
        return fixture
    }
}

/// Registers `name` with a fixture built in setup and torn down in teardown;
/// `body` runs once per sample and must bracket its loop with start/stopMeasurement.
func registerBenchmark<Fixture: Sendable>(
    _ name: String,
    setup makeFixture: @escaping @Sendable () async throws -> Fixture,
    teardown tearDown: @escaping @Sendable (Fixture) async throws -> Void,
    _ body: @escaping @Sendable (Benchmark, Fixture) async throws -> Void
) {
    let slot = FixtureSlot<Fixture>()
    Benchmark(name) { benchmark in
        try await body(benchmark, slot.load())
    } setup: {
        slot.store(try await makeFixture())
    } teardown: {
        let fixture = try slot.load()
        slot.store(nil)
        try await tearDown(fixture)
    }
}

/// Splits the sample's operations evenly across the fixture's child tasks, each
/// with its own lease and its own thread, and measures until all are done.
func measureConcurrently(
    _ benchmark: Benchmark, _ fixture: FlagCacheFixture,
    _ operation: @escaping @Sendable (FlagLease, Int) async throws -> Void
) async throws {
    let workers = fixture.taskLeases.count
    let perTask = benchmark.scaledIterations.count / workers
    let barrier = StartBarrier()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for (lease, executor) in zip(fixture.taskLeases, fixture.executors) {
            group.addTask(executorPreference: executor) {
                barrier.arriveAndWait()
                try await operation(lease, perTask)
            }
        }
        // Start the clock only once every worker thread is awake and spinning at
        // the barrier: a thread's wake-up latency (up to a millisecond on this
        // VM) is not work of the cache, and it would count once per sample
        // against 2 tasks but be amortised over twice the work for 1 task.
        barrier.waitForArrivals(workers)
        benchmark.startMeasurement()
        barrier.open()
        try await group.waitForAll()
    }
    benchmark.stopMeasurement()
}

/// A spinning start line for the worker threads of one sample.
final class StartBarrier: Sendable {
    private let arrived = Atomic<Int>(0)
    private let opened = Atomic<Bool>(false)

    /// Called by a worker: counts it in and spins until the line opens.
    func arriveAndWait() {
        arrived.wrappingAdd(1, ordering: .releasing)
        while !opened.load(ordering: .acquiring) {}
    }

    /// Spins until `count` workers are at the line.
    func waitForArrivals(_ count: Int) {
        while arrived.load(ordering: .acquiring) < count {}
    }

    /// Lets the workers go.
    func open() { opened.store(true, ordering: .releasing) }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        scalingFactor: .mega,
        maxDuration: .seconds(2),
        maxIterations: 1_000
    )

    // The clock alone: what every warm check pays for reading the time.
    Benchmark("clock.coarse.now") { benchmark in
        let clock = CoarseMonotonicClock()
        for _ in benchmark.scaledIterations {
            blackHole(clock.now())
        }
    }

    for policy in [FlagCachePolicy.recommended, .seed] {
        let suffix = policy.rawValue

        // A connection checking its flag through its lease, value cached.
        registerBenchmark("warmCheck.lease.\(suffix)", setup: { try await FlagCacheFixture(policy: policy) },
                          teardown: { try await $0.tearDown() }) { benchmark, fixture in
            let lease = fixture.anchor
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await lease.isEnabled())
            }
            benchmark.stopMeasurement()
        }

        // The same check without a lease, by a host key built once (Go's isTelemetryEnabled).
        registerBenchmark("warmCheck.hostKey.\(suffix)", setup: { try await FlagCacheFixture(policy: policy) },
                          teardown: { try await $0.tearDown() }) { benchmark, fixture in
            let cache = fixture.cache
            let key = fixture.key
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(try await cache.isEnabled(host: key))
            }
            benchmark.stopMeasurement()
        }

        // A connection opening and closing on a host that other connections keep alive.
        registerBenchmark("leaseAcquireRelease.\(suffix)", setup: { try await FlagCacheFixture(policy: policy) },
                          teardown: { try await $0.tearDown() }) { benchmark, fixture in
            let cache = fixture.cache
            let key = fixture.key
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let lease = cache.acquire(key)
                lease.release()
                blackHole(lease)
            }
            benchmark.stopMeasurement()
        }

        // The same for the shared telemetry client (running, never closed by the loop).
        registerBenchmark("clientAcquireRelease.\(suffix)", setup: { try await ClientManagerFixture(policy: policy) },
                          teardown: { try await $0.tearDown() }) { benchmark, fixture in
            let manager = fixture.manager
            let key = fixture.key
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let lease = try await manager.acquire(key)
                await lease.release()
                blackHole(lease)
            }
            benchmark.stopMeasurement()
        }
    }

    // The same total work split across concurrent child tasks, each with its own
    // lease on the same host (many connections to one host) and its own thread.
    // `.2tasks` is the case of interest; `.1task` runs the same harness with one
    // child task, so that the throughput ratio 2tasks / 1task shows how the core
    // scales, free of the harness's own per-call cost.
    for workers in [1, 2] {
        let suffix = workers == 1 ? "1task" : "\(workers)tasks"

        registerBenchmark("warmCheck.lease.recommended.\(suffix)",
                          setup: { try await FlagCacheFixture(policy: .recommended, workers: workers) },
                          teardown: { try await $0.tearDown() }) { benchmark, fixture in
            try await measureConcurrently(benchmark, fixture) { lease, count in
                for _ in 0..<count {
                    blackHole(try await lease.isEnabled())
                }
            }
        }

        registerBenchmark("warmCheck.hostKey.recommended.\(suffix)",
                          setup: { try await FlagCacheFixture(policy: .recommended, workers: workers) },
                          teardown: { try await $0.tearDown() }) { benchmark, fixture in
            let cache = fixture.cache
            let key = fixture.key
            try await measureConcurrently(benchmark, fixture) { _, count in
                for _ in 0..<count {
                    blackHole(try await cache.isEnabled(host: key))
                }
            }
        }

        registerBenchmark("leaseAcquireRelease.recommended.\(suffix)",
                          setup: { try await FlagCacheFixture(policy: .recommended, workers: workers) },
                          teardown: { try await $0.tearDown() }) { benchmark, fixture in
            let cache = fixture.cache
            let key = fixture.key
            try await measureConcurrently(benchmark, fixture) { _, count in
                for _ in 0..<count {
                    let lease = cache.acquire(key)
                    lease.release()
                    blackHole(lease)
                }
            }
        }
    }
}
