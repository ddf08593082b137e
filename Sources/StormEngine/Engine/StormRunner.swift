import FeatureFlags
import FlagServer
import Foundation
import Probes
import StormReport
import Synchronization

/// Runs one scenario under one policy: spawns the connections its load model
/// asks for against the fake server, then turns what the probes saw into a
/// ``StormReport/RunSummary``.
///
/// Data flow (vegeta's attacker → metrics → reporter): connections record
/// locally and hand their tallies over when they close; the server's journal
/// gives fetch counts; the core's statistics give contention and leaks; the
/// summary is computed once at the end.
package final class StormRunner: Sendable {
    package let settings: RunSettings
    /// Real or virtual time (see ``EngineClock``).
    let clock: EngineClock
    let endpoint: any FlagServerEndpoint
    let cache: FeatureFlagCache
    let manager: TelemetryClientManager
    let fetcher: ProbedFetcher
    let ledger: TelemetryLedger
    let hosts: [HostProbe]
    /// The keys of each host's spellings, by `HostSpelling.allCases` order, built once:
    /// a connection copies one (sharing its strings) instead of normalising a name.
    let spelled: [[HostKey]]
    let hostCumulativeWeights: [Double]
    let spellingCumulativeWeights: [Double]
    let stripes: TallyStripes
    /// Connections between checks (no task each; see ``ParkedConnection``).
    let parking: ParkingLot
    let live = Atomic<Int>(0)
    let peakLive = Atomic<Int>(0)
    let nextConnection = Atomic<Int>(0)
    let dropped = Atomic<Int>(0)
    /// Opens the executor was asked for, within the shard, over every round (see ``StormReport/HarnessDelivery``).
    let intendedOpens = Atomic<Int>(0)
    let peakStuckFetches = Atomic<Int>(0)
    let loadFinished = Atomic<Bool>(false)
    let baselineLiveBytes = Atomic<Int>(-1)
    let peakSampledConnections = Atomic<Int>(0)
    let liveBytesAtPeak = Atomic<Int>(0)
    /// The sampler's readings of live connections and clients, handed over once when loading ends.
    let liveSamples = Locked<[LiveSample]>([])
    let origin: UInt64
    /// A check slower than this on a host that has answered before waited on a fetch (W9).
    let refreshWaitThreshold: UInt64
    let tracksCrossHostBlocking: Bool
    let isOpenModel: Bool

    package init(settings: RunSettings, endpoint: any FlagServerEndpoint, clock: EngineClock = .realtime) {
        self.settings = settings
        self.endpoint = endpoint
        self.clock = clock
        self.parking = ParkingLot(clock: clock)
        // One thread runs a simulation: one stripe (each holds four HdrHistograms of about 300 KiB).
        self.stripes = TallyStripes(count: clock.isSimulated ? 1 : 8)
        let origin = endpoint.model.start.nanoseconds
        self.origin = origin
        let probesByName = Locked<[String: HostProbe]>([:])
        let fetcher = ProbedFetcher(base: endpoint.makeFetcher(timeout: settings.fetchTimeout),
                                    crashProbability: settings.fetchCrashProbability,
                                    crashing: settings.crashingFetches, seed: settings.seed, clock: clock,
                                    onFetchFinished: { key, time in
                                        probesByName.withLock { $0[key.normalized] }?.fetchFinished(at: time)
                                    })
        self.fetcher = fetcher
        var configuration = settings.cache
        // Realtime scenarios use TTLs of seconds; the scenario's own TTL is always within the bounds.
        configuration.ttlBounds = min(settings.ttl, configuration.ttlBounds.lowerBound) ... max(settings.ttl, configuration.ttlBounds.upperBound)
        configuration.jitterSeed = settings.seed
        self.cache = FeatureFlagCache(policy: settings.policy, fetcher: fetcher, clock: clock.flagClock,
                                      configuration: configuration, spawner: clock.spawner)

        var hosts: [HostProbe] = []
        var spelled: [[HostKey]] = []
        var indexByName: [String: Int] = [:]
        let server = settings.server
        for index in 0..<settings.hostCount {
            let name = settings.hostName(index)
            let normalized = HostKey(name).normalized
            let profile = server.hosts.first { HostKey($0.key).normalized == normalized }?.value ?? server.defaultHost
            let ttl: Duration
            switch settings.policy {
            case .seed:
                ttl = settings.ttl
            case .recommended:
                let advertised: Duration? = profile.ttlSpelling == .none || profile.ttlSeconds <= 0 ? nil : .seconds(profile.ttlSeconds)
                ttl = advertised.map { min(max($0, configuration.ttlBounds.lowerBound), configuration.ttlBounds.upperBound) } ?? settings.ttl
            }
            hosts.append(HostProbe(index: index, name: normalized, ttl: ttl, truth: profile.truth))
            spelled.append(HostSpelling.allCases.map { HostKey($0.apply(to: name)) })
            indexByName[normalized] = index
        }
        self.hosts = hosts
        self.spelled = spelled
        probesByName.withLock { map in
            for host in hosts { map[host.name] = host }
        }

        var cumulative: [Double] = []
        var sum = 0.0
        for rank in 0..<settings.hostCount {
            sum += settings.zipfExponent.map { 1 / pow(Double(rank + 1), $0) } ?? 1
            cumulative.append(sum)
        }
        self.hostCumulativeWeights = cumulative.map { $0 / sum }
        var spellingSum = 0.0
        var spellingCumulative: [Double] = []
        for spelling in HostSpelling.allCases {
            spellingSum += settings.spellings.first { $0.0 == spelling }?.1 ?? 0
            spellingCumulative.append(spellingSum)
        }
        self.spellingCumulativeWeights = spellingCumulative.map { spellingSum > 0 ? $0 / spellingSum : 1 }

        let ledger = TelemetryLedger(origin: origin, clock: clock)
        self.ledger = ledger
        let slowHosts = settings.slowHosts.map { slow in
            (hosts: Set(slow.hosts.map { HostKey($0).normalized }), start: slow.start, close: slow.close)
        }
        let seed = settings.seed
        let clientStart = settings.clientStart
        let clientClose = settings.clientClose
        let draws = Atomic<UInt64>(0)
        _ = draws
        let names = indexByName
        self.manager = TelemetryClientManager(policy: settings.policy, plantedRace: settings.plantedRace) { key in
            let index = names[key.normalized] ?? -1
            var generator = SeededRandomGenerator(seed: ProbedFetcher.mix(seed ^ UInt64(bitPattern: Int64(index)) ^ 0xC11E))
            var start = clientStart.sample(using: &generator)
            var close = clientClose.sample(using: &generator)
            if let slow = slowHosts.first(where: { $0.hosts.contains(key.normalized) }) {
                if let slowStart = slow.start { start = slowStart.sample(using: &generator) }
                if let slowClose = slow.close { close = slowClose.sample(using: &generator) }
            }
            return InstrumentedTelemetryClient(host: index, name: key.normalized, ledger: ledger,
                                               startDelay: start, closeDelay: close)
        }
        self.tracksCrossHostBlocking = !settings.slowHosts.isEmpty || settings.clientStart != .zero
        switch settings.load {
        case .constantArrival, .rampingArrival: isOpenModel = true
        case .burst, .constantConnections: isOpenModel = false
        }
        let serverLatency: Duration
        if case .fixed(let fixed) = settings.server.latency { serverLatency = fixed } else { serverLatency = .zero }
        self.refreshWaitThreshold = UInt64(max(serverLatency.flagNanoseconds / 2, 1_000_000))
    }

    // MARK: - Running

    /// Runs every round of the load, drains, and summarises.
    ///
    /// Leak figures: file descriptors are compared between before the first
    /// round and after the drain. Live bytes (jemalloc, verified) are compared
    /// between the end of the first round and after the drain, so what the first
    /// round builds and keeps by design (cache entries retained until expiry,
    /// lease slots, connection pools) is not counted as growth; with one round
    /// there is nothing to compare and the figure is `nil`.
    package func run(environment: EnvironmentInfo, allocator: AllocatorProbe = AllocatorProbe()) async -> RunSummary {
        let startedAt = clock.now()
        let before = LeakReading.current(allocator: allocator)
        let rounds = max(settings.rounds, 1)
        let afterFirstRound = Locked<LeakReading?>(nil)
        baselineLiveBytes.store(allocator.liveAllocatedBytes(flushingCaches: false) ?? -1, ordering: .relaxed)
        await withDiscardingTaskGroup { group in
            if !clock.isSimulated {
                group.addTask {
                    await self.parking.drive(finished: { self.loadFinished.load(ordering: .acquiring) },
                                             step: { await self.resume($0) })
                }
            }
            group.addTask { await self.sampleWhileLoading(allocator: allocator) }
            for round in 0..<rounds {
                await self.runLoad()
                // Parked connections still live: the round ends when the last one closes.
                await self.parking.waitUntilIdle()
                if round == 0, rounds > 1 {
                    await self.drain()
                    await self.waitForFetchTimeoutsToPass()
                    afterFirstRound.withLock { $0 = LeakReading.current(allocator: allocator) }
                }
            }
            self.loadFinished.store(true, ordering: .releasing)
            // Wakes the sampler (and the parking lot's driver) now rather than at their next tick,
            // which in a simulated run would add up to a virtual second to the run.
            group.cancelAll()
        }
        await drain()
        let finishedAt = clock.now()
        if rounds > 1 { await waitForFetchTimeoutsToPass() }
        let after = LeakReading.current(allocator: allocator)
        let bytesGrowth = afterFirstRound.withLock { $0 }.flatMap { after.growth(from: $0).allocatedBytesGrowth }
        let summary = summarize(environment: environment, duration: finishedAt &- startedAt, finishedAt: finishedAt,
                                fdGrowth: after.growth(from: before).fdGrowth ?? 0, allocatedBytesGrowth: bytesGrowth)
        await cache.shutdown()
        await manager.shutdown()
        return summary
    }

    func runLoad() async {
        let start = clock.now()
        switch settings.load {
        case .burst(let connections):
            let first = nextConnection.add(connections, ordering: .relaxed).oldValue
            let indices = (first..<(first + connections)).filter(isInShard)
            intendedOpens.add(indices.count, ordering: .relaxed)
            await Self.forEachConcurrently(indices) { index in
                await self.runConnection(index: index, intendedStart: start)
            }
        case .constantArrival(let rate, let duration, let maxConnections):
            let perSecond = rate.perSecond
            let count = Int((duration / .seconds(1)) * perSecond)
            await runArrivals(offsets: (0..<count).lazy.map { UInt64(Double($0) / perSecond * 1e9) },
                              start: start, maxConnections: maxConnections)
        case .rampingArrival(let startRate, let stages, let maxConnections):
            let offsets = Self.rampingOffsets(startRate: startRate.perSecond,
                                              stages: stages.map { ($0.duration, $0.target.perSecond) })
            await runArrivals(offsets: offsets, start: start, maxConnections: maxConnections)
        case .constantConnections(let connections, let duration):
            let end = start &+ UInt64(duration.flagNanoseconds)
            // Each slot's connection is replaced when it closes (see `advance`), until `end`.
            let first = nextConnection.add(connections, ordering: .relaxed).oldValue
            let indices = (first..<(first + connections)).filter(isInShard)
            // A closed model: the slots, then one more for every replacement a close asks for (see `advance`).
            intendedOpens.add(indices.count, ordering: .relaxed)
            await Self.forEachConcurrently(indices) { index in
                await self.runConnection(index: index, intendedStart: self.clock.now(), slotEnd: end)
            }
        }
    }

    /// Runs `body` for every element of `items` concurrently, in task groups of at most `chunk` children.
    ///
    /// Why chunks: removing a finished child from a task group walks the
    /// group's children, so 100,000 children finishing in one group cost time
    /// quadratic in their number (perf showed `TaskGroup::removeChildTask` at
    /// 64 % of the CPU, starving fetches past their timeout).
    static func forEachConcurrently<Items: Collection & Sendable>(
        _ items: Items, chunk: Int = 512, _ body: @escaping @Sendable (Items.Element) async -> Void
    ) async where Items.Element: Sendable, Items.SubSequence: Sendable {
        await withDiscardingTaskGroup { outer in
            var rest = items[...]
            while !rest.isEmpty {
                let slice = rest.prefix(chunk)
                rest = rest.dropFirst(chunk)
                outer.addTask {
                    await withDiscardingTaskGroup { inner in
                        for item in slice { inner.addTask { await body(item) } }
                    }
                }
            }
        }
    }

    /// Opens connections at fixed offsets from `start` (open model): a late
    /// arrival is still started, counted late, and its open latency is measured
    /// from when it should have started (coordinated omission corrected, as wrk2 does).
    func runArrivals<Offsets: Sequence<UInt64>>(offsets: Offsets, start: UInt64,
                                                maxConnections: Int) async {
        await withDiscardingTaskGroup { group in
            for offset in offsets {
                let intended = start &+ offset
                let now = clock.now()
                // Every arrival takes the next index, in order, so a shard runs exactly the unsharded run's arrivals for its hosts.
                let index = nextConnection.add(1, ordering: .relaxed).oldValue
                guard isInShard(index) else { continue }
                // Asked for whether it starts or is dropped below.
                intendedOpens.add(1, ordering: .relaxed)
                if intended > now {
                    try? await clock.sleep(until: intended)
                }
                if live.load(ordering: .relaxed) >= maxConnections {
                    dropped.add(1, ordering: .relaxed)
                    continue
                }
                group.addTask { await self.runConnection(index: index, intendedStart: intended) }
            }
        }
    }

    /// Arrival offsets (ns) for rates ramping linearly within each stage.
    static func rampingOffsets(startRate: Double, stages: [(duration: Duration, targetPerSecond: Double)]) -> [UInt64] {
        var offsets: [UInt64] = []
        var stageStart = 0.0
        var rate0 = startRate
        var carried = 0.0  // arrivals owed from earlier stages (fractional)
        for stage in stages {
            let length = Double(stage.duration.flagNanoseconds) / 1e9
            let rate1 = stage.targetPerSecond
            // N(t) = carried + r0 t + (r1 - r0) t^2 / (2 L); the k-th arrival is where N(t) = k.
            let total = carried + (rate0 + rate1) / 2 * length
            var k = carried.rounded(.down) + 1
            while k <= total {
                let need = k - carried
                let a = (rate1 - rate0) / (2 * max(length, 1e-12))
                let t: Double
                if abs(a) < 1e-12 {
                    t = rate0 > 0 ? need / rate0 : length
                } else {
                    t = (-rate0 + (rate0 * rate0 + 4 * a * need).squareRoot()) / (2 * a)
                }
                offsets.append(UInt64(max(0, (stageStart + min(t, length)) * 1e9)))
                k += 1
            }
            carried = total
            stageStart += length
            rate0 = rate1
        }
        return offsets
    }

    // MARK: - One connection

    /// Opens connection `index` and runs it as far as it goes in this task: its
    /// first check, then either parks it until its next check or closes it.
    /// A closed `constant-connections` connection is replaced (in this task)
    /// while its slot lasts.
    func runConnection(index: Int, intendedStart: UInt64, slotEnd: UInt64? = nil) async {
        var index = index
        var intendedStart = intendedStart
        while true {
            var connection = await open(index: index, intendedStart: intendedStart, slotEnd: slotEnd)
            guard let replacement = await advance(&connection, first: true) else { return }
            index = replacement
            intendedStart = clock.now()
        }
    }

    /// The parking lot's step: the connection's next check (or its close).
    func resume(_ parked: ParkedConnection) async {
        var connection = parked
        guard let replacement = await advance(&connection, first: false) else { return }
        await runConnection(index: replacement, intendedStart: clock.now(), slotEnd: parked.slotEnd)
    }

    /// Runs the connection's due step: a check (the first may be cancelled on purpose) and its
    /// events, then parks it for the next one; or, at its end, closes it. Returns the index of a
    /// replacement to open when it closed within its `constant-connections` slot.
    func advance(_ connection: inout ParkedConnection, first: Bool) async -> Int? {
        var first = first
        let interval = UInt64(max(settings.checkInterval.flagNanoseconds, 0))
        while first || connection.due < connection.end {
            let begun = clock.now()
            // How late the harness started this check (negative: early, by up to a wheel tick).
            let lateness = Int64(bitPattern: begun &- connection.due)
            await check(lease: connection.flagLease, host: connection.host, cancel: first && connection.cancelFirst,
                        tally: &connection.tally, stripe: connection.index)
            await simulatedStep()
            if let clientLease = connection.clientLease, settings.eventsPerCheck > 0 {
                for _ in 0..<settings.eventsPerCheck { clientLease.record(Self.checkEvent) }
            }
            let after = clock.now()
            // The check's own time (the system's, or a step's in simulation) is not room for the next one.
            connection.checkRoom -= Int64(bitPattern: after &- begun)
            connection.checksMade += 1
            guard after < connection.end else { break }
            connection.due = Self.nextDue(after: after, interval: interval, lateness: lateness, end: connection.end)
            // A simulated connection waits in its own task on the virtual clock (memory is not what a
            // simulation measures, and a task per wake-up cost more than the check); a realtime one parks.
            guard clock.isSimulated else {
                parking.park(connection)
                return nil
            }
            try? await clock.sleep(until: connection.due)
            first = false
            if connection.due >= connection.end { break }
        }
        connection.tally.counts.intendedChecks += Self.intendedChecks(made: Int(connection.checksMade), room: connection.checkRoom,
                                                                      interval: Int64(interval))
        await close(&connection)
        guard let slotEnd = connection.slotEnd, clock.now() < slotEnd else { return nil }
        // The closed model's next intended open: the replacement this close asks for.
        intendedOpens.add(1, ordering: .relaxed)
        while true {
            let index = nextConnection.add(1, ordering: .relaxed).oldValue
            if isInShard(index) { return index }
        }
    }

    /// The host connection `index` picks (its first draw; see ``open(index:intendedStart:slotEnd:)``).
    func hostIndex(ofConnection index: Int) -> Int {
        var generator = connectionGenerator(index)
        return Self.pick(hostCumulativeWeights, generator.nextUnitDouble())
    }

    /// Whether connection `index` belongs to this run's shard: its host is in the shard's slice.
    ///
    /// Why by connection: a connection's choices come from a generator seeded
    /// by its index, so a shard runs exactly the connections the unsharded run
    /// would have opened for its hosts, and shard reports add up to it.
    func isInShard(_ index: Int) -> Bool {
        guard let shard = settings.shard else { return true }
        return shard.contains(host: hostIndex(ofConnection: index))
    }

    func connectionGenerator(_ index: Int) -> SeededRandomGenerator {
        SeededRandomGenerator(seed: ProbedFetcher.mix(settings.seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
    }

    /// Opens connection `index`: its choices (from a generator seeded by its index, so they do not
    /// depend on scheduling), a flag lease and a client lease.
    func open(index: Int, intendedStart: UInt64, slotEnd: UInt64?) async -> ParkedConnection {
        await simulatedStep()
        var generator = connectionGenerator(index)
        let hostIndex = Self.pick(hostCumulativeWeights, generator.nextUnitDouble())
        let spelling = Self.pick(spellingCumulativeWeights, generator.nextUnitDouble())
        let lifetime = settings.lifetime.sample(using: &generator)
        let doubleRelease = generator.nextUnitDouble() < settings.doubleReleaseFraction
        let cancelFirst = generator.nextUnitDouble() < settings.cancelFirstCheckFraction
        let host = hosts[hostIndex]
        let key = spelled[hostIndex][spelling]
        let stripe = index
        var tally = ConnectionTally()

        let nowLive = live.add(1, ordering: .relaxed).newValue
        var peak = peakLive.load(ordering: .relaxed)
        while nowLive > peak {
            let (done, original) = peakLive.compareExchange(expected: peak, desired: nowLive, ordering: .relaxed)
            if done { break }
            peak = original
        }
        // Only the open model has an intended schedule to be late against.
        if isOpenModel, clock.now() &- intendedStart > 1_000_000 { tally.counts.lateStarts += 1 }

        clock.note("conn \(index) opens \(host.name)\(key.normalized == host.name ? "" : " (spelled differently)")")
        let flagLease = cache.acquire(key)
        let acquireStart = clock.now()
        let otherHostStarting = tracksCrossHostBlocking && ledger.otherHostStarting(besides: hostIndex)
        var clientLease: ClientLease?
        do {
            clientLease = try await manager.acquire(key)
        } catch {
            tally.counts.errors += 1
        }
        let opened = clock.now()
        let client = clientLease.map { $0.client as? InstrumentedTelemetryClient } ?? nil
        client?.users.add(1, ordering: .relaxed)
        let acquireTime = opened &- acquireStart
        if otherHostStarting, let client, acquireTime > UInt64(client.startDelay.flagNanoseconds) &+ 50_000_000 {
            ledger.acquireBlockedByOtherHost(name: host.name, waited: acquireTime)
        }
        if settings.recordLatency {
            tally.record(.clientAcquire, acquireTime, stripes: stripes, stripe: stripe)
            tally.record(.open, opened &- min(intendedStart, acquireStart), stripes: stripes, stripe: stripe)
        }
        tally.counts.opened += 1
        return ParkedConnection(index: index, host: host, flagLease: flagLease, clientLease: clientLease, client: client,
                                end: opened &+ UInt64(lifetime.flagNanoseconds), due: opened,
                                doubleRelease: doubleRelease, cancelFirst: cancelFirst,
                                checkRoom: lifetime.flagNanoseconds, slotEnd: slotEnd, tally: tally)
    }

    /// In a simulated run, spends ``RunSettings/simulatedStepCost`` of virtual time (a suspension point too); nothing in realtime.
    @inline(__always)
    func simulatedStep() async {
        if clock.isSimulated { try? await clock.sleep(for: settings.simulatedStepCost) }
    }

    /// Releases both leases (twice for a misbehaving connection, W4) and hands over the tally.
    func close(_ connection: inout ParkedConnection) async {
        await simulatedStep()
        let stripe = connection.index
        if settings.plantedLeakEvery > 0, connection.index % settings.plantedLeakEvery == 0 {
            // A planted leak (tests only): this connection ends without releasing anything.
            connection.tally.counts.closed += 1
            live.add(-1, ordering: .relaxed)
            connection.tally.flush(into: stripes, stripe: stripe)
            return
        }
        connection.client?.users.add(-1, ordering: .relaxed)
        let closeStart = clock.now()
        clock.note("conn \(connection.index) closes \(connection.host.name)")
        await connection.clientLease?.release()
        connection.flagLease.release()
        if connection.doubleRelease {
            clock.note("conn \(connection.index) releases \(connection.host.name) again (a double release)")
            await connection.clientLease?.release()
            connection.flagLease.release()
        }
        if settings.recordLatency {
            connection.tally.record(.close, clock.now() &- closeStart, stripes: stripes, stripe: stripe)
        }
        connection.tally.counts.closed += 1
        live.add(-1, ordering: .relaxed)
        connection.tally.flush(into: stripes, stripe: stripe)
    }

    static let checkEvent = TelemetryEvent(name: "flagstorm.check", value: 1)

    /// One check of the flag, timed from just before the core is called.
    ///
    /// Why the start is read here and not by the caller (which reads its own for
    /// ``ParkedConnection/checkRoom`` and the lateness): the async call into this
    /// function and its branches are the harness's cost, about 20 ns, which moved
    /// every warm check's p50 (w02's from 30 to 50 ns) when the caller's reading was used.
    func check(lease: FlagLease, host: HostProbe, cancel: Bool, tally: inout ConnectionTally, stripe: Int) async {
        if !settings.recordLatency, !cancel {
            // Probes off (to measure their own cost): the check and a count, nothing else.
            do {
                _ = try await lease.isEnabled()
            } catch {
                tally.counts.errors += 1
            }
            tally.counts.answers += 1
            return
        }
        let start = clock.now()
        let outcome: Result<Bool, any Error>
        if cancel {
            let cancelAfter = settings.cancelAfter
            let result: Result<Bool, any Error>? = await withTaskGroup(of: Result<Bool, any Error>?.self) { group in
                group.addTask { do { return .success(try await lease.isEnabled()) } catch { return .failure(error) } }
                group.addTask { try? await self.clock.sleep(for: cancelAfter); return nil }
                let first = await group.next() ?? nil
                group.cancelAll()
                // A cancelled check is not judged; one that finished in time is.
                if first == nil { _ = await group.next() }
                return first
            }
            guard let result else {
                clock.note("conn \(stripe)'s first check of \(host.name) is cancelled")
                tally.counts.cancelled += 1
                return
            }
            outcome = result
        } else {
            do { outcome = .success(try await lease.isEnabled()) } catch { outcome = .failure(error) }
        }
        let finish = clock.now()
        host.asked(at: finish)
        let elapsed = finish &- start
        if settings.recordLatency { tally.record(.isEnabled, elapsed, stripes: stripes, stripe: stripe) }
        tally.counts.answers += 1
        let wasWarm = host.answered(start: start, finish: finish)
        // Waited on a refresh: the host was warm, the check was slow, and a fetch for the host
        // finished while it ran (a slow check alone may just be a descheduled thread).
        if wasWarm, elapsed >= refreshWaitThreshold, host.fetchFinished(between: start, and: finish) {
            tally.counts.waitedOnRefresh += 1
        }
        switch outcome {
        case .success(let answer):
            let judgement = host.truth.judge(answer, start: .nanoseconds(Int64(bitPattern: start &- origin)),
                                             end: .nanoseconds(Int64(bitPattern: finish &- origin)),
                                             ttl: .nanoseconds(Int64(host.ttlNanoseconds)))
            switch judgement {
            case .right: clock.note("conn \(stripe) checks \(host.name): \(answer)")
            case .stale:
                clock.note("conn \(stripe) checks \(host.name): \(answer) (stale within the TTL)")
                tally.counts.stale += 1
            case .wrong:
                clock.note("conn \(stripe) checks \(host.name): \(answer) — WRONG, the server's flag is \(!answer)")
                tally.counts.wrong += 1
                if tally.counts.wrongExample == nil {
                    tally.counts.wrongExample = "\(host.name): check at \(TelemetryLedger.format(start &- origin)) returned \(answer), the server's flag was \(!answer)"
                }
            }
        case .failure(let error):
            clock.note("conn \(stripe) checks \(host.name): throws \(error) — WRONG")
            tally.counts.errors += 1
            tally.counts.wrong += 1
            if tally.counts.wrongExample == nil {
                tally.counts.wrongExample = "\(host.name): check at \(TelemetryLedger.format(start &- origin)) threw \(error)"
            }
        }
    }

    static func pick(_ cumulative: [Double], _ draw: Double) -> Int {
        var low = 0
        var high = cumulative.count - 1
        while low < high {
            let middle = (low + high) / 2
            if cumulative[middle] > draw { high = middle } else { low = middle + 1 }
        }
        return low
    }

    /// Samples the core while the load runs for W10's stuck state: hosts marked
    /// as fetching for longer than any fetch can take (the core's
    /// ``FeatureFlags/FlagCacheStatistics/inFlightBeyondTimeout``). Sampled
    /// because under `seed` the mark disappears with its entry once every
    /// connection to the host has left (W2).
    func sampleWhileLoading(allocator: AllocatorProbe) async {
        var sample = 0
        var readings: [LiveSample] = []
        defer { liveSamples.withLock { $0 = readings } }
        while !loadFinished.load(ordering: .acquiring) {
            readings.append(LiveSample(time: clock.now(), connections: live.load(ordering: .relaxed),
                                       clients: ledger.liveClientCount.load(ordering: .relaxed)))
            // The cache's statistics take its registry lock and walk every entry, which the run's
            // contention figures would count: read them every 250 ms only. A stuck mark is counted
            // once it is older than twice the fetch timeout and lasts until its entry goes, so only
            // one dropped within 250 ms of becoming countable can be missed.
            if sample % 5 == 0 {
                let stuck = cache.statistics.inFlightBeyondTimeout
                if stuck > peakStuckFetches.load(ordering: .relaxed) {
                    peakStuckFetches.store(stuck, ordering: .relaxed)
                }
            }
            sample += 1
            // Steady state: the fewest live bytes among the samples with the most connections live
            // (an opening burst's first samples also hold its cold callers' waits and buffers).
            if let live = allocator.liveAllocatedBytes(flushingCaches: false) {
                let connections = self.live.load(ordering: .relaxed)
                let peak = peakSampledConnections.load(ordering: .relaxed)
                if connections > peak || (connections == peak && live < liveBytesAtPeak.load(ordering: .relaxed)) {
                    peakSampledConnections.store(connections, ordering: .relaxed)
                    liveBytesAtPeak.store(live, ordering: .relaxed)
                }
            }
            // Every 50 ms of real time; a simulated day is read once a virtual second.
            try? await clock.sleep(for: clock.isSimulated ? .seconds(1) : .milliseconds(50))
        }
    }

    /// Waits until the latest fetch's timeout has passed, so that live bytes are read without its timer.
    ///
    /// Why: the core bounds each fetch with a sleeping timer, and a cancelled
    /// `Task.sleep` keeps its timer (about 800 bytes) until the deadline, so a
    /// reading right after a burst of fetches counts every pending timer as
    /// growth. Only runs with more than one round read live bytes.
    func waitForFetchTimeoutsToPass() async {
        let last = fetcher.lastFetchStart
        guard last > 0 else { return }
        let clear = last &+ UInt64(settings.fetchTimeout.flagNanoseconds) &+ 50_000_000
        let now = clock.now()
        if clear > now { try? await clock.sleep(until: clear) }
    }

    /// Waits (up to the scenario's drain time) for the core's background work to finish.
    func drain() async {
        let deadline = clock.now() &+ UInt64(max(settings.drain.flagNanoseconds, 0))
        while clock.now() < deadline {
            // Not `inFlight`: under `seed` a crashed fetch stays "in flight" forever (W10), which is a finding, not work to wait for.
            if cache.statistics.backgroundTasksOutstanding == 0 { return }
            try? await clock.sleep(for: .milliseconds(5))
        }
    }
}
