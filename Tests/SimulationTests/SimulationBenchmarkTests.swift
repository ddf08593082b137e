#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Simulation
import Testing

/// Throughput figures, printed only with `FLAGSTORM_SIM_BENCH=1` (never asserted: speed depends on the machine).
///
/// Run in release: `FLAGSTORM_SIM_BENCH=1 swift test -c release --filter SimulationBenchmark`.
@Suite(.enabled(if: getenv("FLAGSTORM_SIM_BENCH") != nil, "set FLAGSTORM_SIM_BENCH=1 to measure"))
struct SimulationBenchmark {
    static func wallSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    @Test(arguments: [SchedulingStrategy.random, .pct(depth: 3, expectedSteps: 1_000_000)])
    func scheduledStepsPerSecond(strategy: SchedulingStrategy) throws {
        let executor = SimulationExecutor()
        let start = Self.wallSeconds()
        try executor.run(seed: 1, strategy: strategy) {
            await withDiscardingTaskGroup { group in
                for _ in 0..<1_000 {
                    group.addTask { for _ in 0..<1_000 { await Task.yield() } }
                }
            }
        }
        let seconds = Self.wallSeconds() - start
        let steps = try #require(executor.lastTrace).stepCount
        print("simulation bench [\(strategy)]: \(steps) steps in \(seconds) s = \(Int(Double(steps) / seconds)) steps/s")
    }

    /// A stand-in for the engine's scenario: a million connections over ten thousand hosts,
    /// arriving over a virtual hour; each takes its host's shared entry (fetching on first
    /// use or when 15 minutes old: 50 ms of virtual latency), holds it for a virtual second, releases it.
    @Test func millionConnectionsOverTenThousandHosts() throws {
        let hosts = BenchHosts(count: 10_000)
        let executor = SimulationExecutor()
        let clock = executor.clock
        let start = Self.wallSeconds()
        try executor.run(seed: 1) {
            var random = SeededRandom(seed: 99)
            await withDiscardingTaskGroup { group in
                for connection in 0..<1_000_000 {
                    let host = Int(random.next(below: 10_000))
                    // Arrivals paced by the body, so only the live connections exist at once.
                    try? await clock.sleep(until: UInt64(connection) * 3_600_000)
                    group.addTask {
                        let mustFetch = hosts.table.withLock { hosts -> Bool in
                            hosts[host].references += 1
                            guard let at = hosts[host].fetchedAt, clock.now - at < 15 * 60_000_000_000 else {
                                hosts[host].fetchedAt = clock.now
                                hosts[host].fetches += 1
                                return true
                            }
                            return false
                        }
                        if mustFetch { try? await clock.sleep(for: .milliseconds(50)) }
                        try? await clock.sleep(for: .seconds(1))
                        hosts.table.withLock { $0[host].references -= 1 }
                    }
                }
            }
        }
        let seconds = Self.wallSeconds() - start
        let trace = try #require(executor.lastTrace)
        let fetches = hosts.table.withLock { $0.reduce(0) { $0 + $1.fetches } }
        print("simulation bench [1M connections, 10k hosts]: \(seconds) s wall, \(trace.stepCount) steps "
            + "(\(Int(Double(trace.stepCount) / seconds)) steps/s), \(trace.taskCount) tasks, "
            + "\(fetches) fetches, virtual \(SimulationTrace.format(time: trace.finalVirtualTime))")
    }
}

/// The benchmark's per-host state: a reference count and the last fetch time, as the flag cache keeps them.
final class BenchHosts: Sendable {
    struct Host {
        var references = 0
        var fetchedAt: UInt64?
        var fetches = 0
    }

    let table: SimulationLock<[Host]>

    init(count: Int) { table = SimulationLock([Host](repeating: Host(), count: count)) }
}
