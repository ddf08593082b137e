import FeatureFlags
import FlagServer
import Foundation
import Simulation
import StormReport

/// Runs a plan's fleet under one policy in virtual time and measures the flag endpoint's load.
///
/// Each process incarnation (a process between deploys) gets its own real ``FeatureFlags/FeatureFlagCache``
/// of the policy, fetching through the in-memory transport from one shared server model with the
/// plan's latency, limits and outages. Each connection is a task on the seeded executor: it
/// acquires a lease from its process's cache (and, when the plan models telemetry, a client lease
/// from its process's real ``FeatureFlags/TelemetryClientManager``), checks the flag once (as a
/// driver does when a connection opens) and records an event, stays open for its lifetime, and releases. Nothing else runs: no latency
/// histograms or per-connection probes, because a plan measures the endpoint, not the process.
enum FleetSimulation {
    /// What one run measured.
    struct Outcome {
        var connections: Int
        var requests: PlanRequests
        var global: PlanLoad
        var perHost: PlanLoad
        var answers: PlanAnswers
        var virtualSeconds: Double
        /// Requests refused over the whole run, the warm-up included (they change what the policy does after).
        var refusedIncludingWarmup: Int
        /// The load over time.
        var timeline: PlanTimeline
    }

    /// Simulates `plan` under `policy`; the plan's seed drives both its schedule and the scheduler.
    static func run(_ plan: PlanSpec, policy: FlagCachePolicy,
                    limits: SimulationLimits = FleetSimulation.limits) async throws -> Outcome {
        let schedule = PlanSchedule(plan: plan)
        let executor = SimulationExecutor()
        return try await executor.runOnDedicatedThread(seed: plan.seed, strategy: .random, limits: limits) {
            let clock = EngineClock.simulated(executor)
            let flagClock = clock.flagClock
            let origin = clock.now()
            let model = FlagServerModel(configuration: plan.server, start: flagClock.now())
            let hosts = plan.hosts
            let keys = (0..<hosts.count).map { HostKey(hosts.name(at: $0)) }
            var hostIndex: [String: Int] = [:]
            hostIndex.reserveCapacity(hosts.count)
            for (index, key) in keys.enumerated() { hostIndex[key.normalized] = index }
            let indexOfHost = hostIndex
            let meter = PlanLoadMeter(hostCount: hosts.count,
                                      hostWindow: plan.server.rateLimits.perHost?.window ?? plan.window,
                                      globalWindow: plan.server.rateLimits.global?.window ?? plan.window,
                                      measureFrom: plan.warmup, measuredSpan: plan.duration - plan.warmup)
            let measureFrom = UInt64(max(plan.warmup.flagNanoseconds, 0))
            var configuration = plan.cache
            configuration.jitterSeed = plan.seed
            let settings = configuration
            let transport = InMemoryFlagTransport(model: model, clock: flagClock, flagName: plan.server.flagName)
            let generations = plan.deploys.count + 1
            let caches = (0..<(generations * plan.processes)).map { slot in
                let fetcher = PlanMeteredFetcher(base: transport, meter: meter, clock: flagClock, origin: origin,
                                                 hostIndex: hostIndex, generation: slot / plan.processes,
                                                 process: slot % plan.processes, processes: plan.processes)
                return FeatureFlagCache(policy: policy, fetcher: fetcher, clock: flagClock,
                                        configuration: settings, spawner: clock.spawner)
            }
            // One telemetry client manager per process incarnation, as a driver keeps one per process.
            let managers: [TelemetryClientManager]? = plan.telemetry.map { telemetry in
                (0..<(generations * plan.processes)).map { _ in
                    TelemetryClientManager(policy: policy) { key in
                        PlanTelemetryClient(host: key, hostIndex: indexOfHost[key.normalized] ?? 0, telemetry: telemetry,
                                            model: model, meter: meter, clock: clock, origin: origin)
                    }
                }
            }
            let truths = (0..<hosts.count).map { index -> FlagTruth in
                plan.server.hosts.first { HostKey($0.key).normalized == keys[index].normalized }?.value.truth
                    ?? plan.server.defaultHost.truth
            }
            let ttls = (0..<hosts.count).map { Self.effectiveTTL(plan, policy: policy, host: keys[$0].normalized) }
            let tally = AnswerTally()

            let runConnection: @Sendable (PlanSchedule.Connection) async -> Void = { connection in
                let slot = Int(connection.generation) * plan.processes + Int(connection.process)
                let host = Int(connection.host)
                let lease = caches[slot].acquire(keys[host])
                let clientLease = try? await managers?[slot].acquire(keys[host])
                let checkStart = clock.now() &- origin
                let answer: Bool?
                do { answer = try await lease.isEnabled() } catch { answer = nil }
                let checkEnd = clock.now() &- origin
                clientLease?.record(Self.checkEvent)
                // The warm-up's connections are not judged (nor counted).
                if connection.start >= measureFrom {
                    let stream = meter.stream(meter.streamKey(generation: Int(connection.generation),
                                                              process: Int(connection.process),
                                                              processes: plan.processes, host: host))
                    tally.judge(answer, truth: truths[host], start: checkStart, end: checkEnd, ttl: ttls[host],
                                lastGood: stream.lastGood, throttled: stream.throttled)
                }
                let end = origin &+ connection.start &+ connection.lifetime
                if end > clock.now() { try? await clock.sleep(until: end) }
                await clientLease?.release()
                lease.release()
            }
            // Connections open in chunks, each chunk's in a task group of its own: removing a finished
            // child walks its group's children, so one group holding every live connection made a day
            // over 100,000 hosts spend 43 % of its time there (perf).
            let connections = schedule.connections
            await withDiscardingTaskGroup { outer in
                var index = 0
                while index < connections.count {
                    let chunk = connections[index..<min(index + Self.chunkSize, connections.count)]
                    index += Self.chunkSize
                    let first = origin &+ chunk.first!.start
                    if first > clock.now() { try? await clock.sleep(until: first) }
                    outer.addTask {
                        await withDiscardingTaskGroup { inner in
                            for connection in chunk {
                                let start = origin &+ connection.start
                                if start > clock.now() { try? await clock.sleep(until: start) }
                                inner.addTask { await runConnection(connection) }
                            }
                        }
                    }
                }
            }
            let finished = clock.now() &- origin
            for cache in caches { await cache.shutdown() }
            for manager in managers ?? [] { await manager.shutdown() }
            let (global, perHost) = meter.loads(duration: plan.duration - plan.warmup, limits: plan.server.rateLimits,
                                                hostName: { hosts.name(at: $0) })
            return Outcome(connections: schedule.connections.count { $0.start >= measureFrom },
                           requests: PlanRequests(total: meter.requests, ok: meter.ok, rateLimited: meter.rateLimited,
                                                  failed: meter.failed, telemetryExports: meter.exports,
                                                  telemetryExportsRefused: meter.exportsRefused),
                           global: global, perHost: perHost, answers: tally.answers,
                           virtualSeconds: Double(finished) / 1e9, refusedIncludingWarmup: meter.refusedIncludingWarmup,
                           timeline: meter.timeline())
        }
    }

    /// A plan ends by construction (every connection's lifetime is finite and bounded by validation),
    /// so its virtual time is not capped at the simulation's usual year; steps still are.
    static let limits = SimulationLimits(maxVirtualTime: UInt64(Int64.max), traceCapacity: 0)

    /// Connections per task group (see the comment where they open).
    static let chunkSize = 256

    /// The event a connection records on its telemetry client after its check.
    static let checkEvent = TelemetryEvent(name: "flagstorm.plan.check", value: 1)

    /// The TTL a host's value lives under `policy`: the cache's, or (under `recommended`) the server's advertised one within the cache's bounds.
    static func effectiveTTL(_ plan: PlanSpec, policy: FlagCachePolicy, host: String) -> Duration {
        guard policy == .recommended else { return plan.cache.ttl }
        let profile = plan.server.hosts.first { HostKey($0.key).normalized == host }?.value ?? plan.server.defaultHost
        guard profile.ttlSpelling != .none, profile.ttlSeconds > 0 else { return plan.cache.ttl }
        return min(max(.seconds(profile.ttlSeconds), plan.cache.ttlBounds.lowerBound), plan.cache.ttlBounds.upperBound)
    }
}

/// The answers' counts, kept by the simulation's one thread.
private final class AnswerTally: @unchecked Sendable {
    // @unchecked: only the simulation's single thread touches it.
    var answers = PlanAnswers(total: 0, wrong: 0, stale: 0, errors: 0, duringThrottling: 0)

    func judge(_ answer: Bool?, truth: FlagTruth, start: UInt64, end: UInt64, ttl: Duration,
               lastGood: UInt64, throttled: Bool) {
        answers.total += 1
        var bad = true
        if let answer {
            switch truth.judge(answer, start: .nanoseconds(Int64(start)), end: .nanoseconds(Int64(end)), ttl: ttl) {
            case .wrong:
                answers.wrong += 1
            case .right, .stale:
                // Right, but from a value older than its TTL: served while refreshes failed.
                if lastGood > 0, end > lastGood, end - lastGood > UInt64(ttl.flagNanoseconds) {
                    answers.stale += 1
                } else {
                    bad = false
                }
            }
        } else {
            answers.errors += 1
        }
        if bad, throttled { answers.duringThrottling += 1 }
    }
}
