import FeatureFlags
import FlagServer
import Probes
import Simulation
import StormReport

/// A live view of a run, for a progress line.
package struct RunProgress: Sendable {
    /// The scenario's name and policy.
    package var label: String
    /// Connections opened so far.
    package var opened: Int
    /// Connections live now.
    package var live: Int
    /// Requests the server has received.
    package var fetches: Int
    /// Seconds since the run started.
    package var elapsedSeconds: Double
}

/// Runs one scenario under one policy end to end: a fresh fake server (its own
/// model and journal), the runner, and a progress callback a few times a second.
package enum ScenarioRun {
    /// Runs `settings` against a fresh in-process server and returns the summary.
    package static func run(_ settings: RunSettings, environment: EnvironmentInfo,
                            progress: (@Sendable (RunProgress) -> Void)? = nil) async throws -> RunSummary {
        if settings.mode == ScenarioMode.simulated.rawValue {
            return try await simulate(settings, environment: environment).summary
        }
        // File descriptors are compared from before the server starts to after it
        // stops: every socket the harness opened is closed by then, so what
        // remains was leaked (a pool's idle keep-alive connections are not).
        await HTTPFlagServerEndpoint.prepareProcessWideResources()
        let fdsBefore = ProcessProbe.openFileDescriptorCount()
        let descriptorsBefore = ProcessProbe.openFileDescriptors() ?? [:]
        let model = FlagServerModel(configuration: settings.server, start: CoarseMonotonicClock().now())
        let endpoint = try await makeEndpoint(model: model)
        let runner = StormRunner(settings: settings, endpoint: endpoint)
        let started = MonotonicTime.preciseNanoseconds()
        let label = "\(settings.name) [\(settings.policy.rawValue)]"
        let summary = await withTaskGroup(of: RunSummary?.self) { group in
            group.addTask { await runner.run(environment: environment) }
            if let progress {
                group.addTask {
                    while !Task.isCancelled {
                        progress(RunProgress(label: label, opened: runner.nextConnection.load(ordering: .relaxed),
                                             live: runner.live.load(ordering: .relaxed),
                                             fetches: model.statistics().requests,
                                             elapsedSeconds: Double(MonotonicTime.preciseNanoseconds() &- started) / 1e9))
                        try? await Task.sleep(for: .milliseconds(250))
                    }
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        await endpoint.shutdown()
        var result = summary!
        if let fdsBefore, let fdsAfter = await settledFileDescriptorCount(atMost: fdsBefore) {
            result.leaks.fdGrowth = fdsAfter - fdsBefore
            if fdsAfter > fdsBefore, let after = ProcessProbe.openFileDescriptors() {
                result.leaks.descriptorsLeaked = after.filter { descriptorsBefore[$0.key] != $0.value }
                    .sorted { $0.key < $1.key }.map { "fd \($0.key): \($0.value)" }
            }
            StormRunner.judge(&result, thresholds: settings.thresholds)
        }
        return result
    }

    /// A simulated run: the same engine on the simulation's virtual clock and seeded single-threaded
    /// executor, against the server model in memory (its latency waited in virtual time).
    ///
    /// The scenario's seed drives both the scenario's random choices and the scheduler, so one number
    /// replays the run exactly; the trace says which connection did what at what virtual time.
    /// Nothing here touches the network or real time, so descriptor growth is not measured (0).
    package static func simulate(_ settings: RunSettings, environment: EnvironmentInfo,
                                 strategy: SchedulingStrategy = .random,
                                 limits: SimulationLimits = SimulationLimits()) async throws -> (summary: RunSummary, trace: SimulationTrace?) {
        let executor = SimulationExecutor()
        let summary = try await executor.runOnDedicatedThread(seed: settings.seed, strategy: strategy, limits: limits) {
            let clock = EngineClock.simulated(executor)
            let model = FlagServerModel(configuration: settings.server, start: clock.flagClock.now())
            let endpoint = InMemoryFlagServerEndpoint(model: model, clock: clock.flagClock)
            let runner = StormRunner(settings: settings, endpoint: endpoint, clock: clock)
            return await runner.run(environment: environment)
        }
        return (summary, executor.lastTrace)
    }

    /// The process's open file descriptors once closes in flight have landed: read every 10 ms until
    /// the count is back to `target`, for at most a second.
    ///
    /// Why wait: the loopback sockets of the fetchers' pool and the server are closed
    /// by their event loops just after shutdown returns, so a reading taken at once
    /// sometimes counts one still closing as a leak. A real leak stays after the second.
    static func settledFileDescriptorCount(atMost target: Int) async -> Int? {
        let deadline = MonotonicTime.preciseNanoseconds() &+ 1_000_000_000
        while true {
            guard let count = ProcessProbe.openFileDescriptorCount() else { return nil }
            if count <= target || MonotonicTime.preciseNanoseconds() >= deadline { return count }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The server a realtime run talks to: the NIO front end over loopback.
    static func makeEndpoint(model: FlagServerModel) async throws -> any FlagServerEndpoint {
        try await HTTPFlagServerEndpoint.start(model: model)
    }
}
