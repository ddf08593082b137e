import FeatureFlags
import FlagServer
@testable import StormEngine
import StormReport
import Testing

extension RealtimeEngineSuite {
    /// The leak probes report what a run leaves behind, and nothing when it leaves nothing.
    @Suite struct StormRunnerLeakTests {
        static func churn(_ policy: FlagCachePolicy, plantedLeakEvery: Int) -> RunSettings {
            var settings = RunSettings(name: "churn", policy: policy, load: .burst(connections: 1000))
            settings.hostCount = 100
            settings.lifetime = .zero
            settings.rounds = 3
            settings.fetchTimeout = .milliseconds(200)  // live bytes are read once the last fetch's timeout has passed
            settings.plantedLeakEvery = plantedLeakEvery
            settings.thresholds = ["leaks.leasesOutstanding == 0", "leaks.clientsAfterDrain == 0"]
            return settings
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func aCleanChurnLeavesNothing(policy: FlagCachePolicy) async {
            let summary = await RealtimeEngineSuite.StormRunnerTests.run(Self.churn(policy, plantedLeakEvery: 0))
            #expect(summary.connections.opened == 3000 && summary.connections.closed == 3000)
            #expect(summary.leaks.leasesOutstanding == 0)
            #expect(summary.leaks.clientsAfterDrain == 0)
            #expect(summary.leaks.tasksOutstanding == 0)
            #expect(summary.invariants.first { $0.name == "nothingLeftAfterDrain" }?.violations == 0)
            #expect(summary.thresholds.allSatisfy { $0.ok })
            #expect(summary.lifecycle.clientsStarted == summary.lifecycle.clientsClosed)
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func aPlantedLeakIsReported(policy: FlagCachePolicy) async {
            // Connections 0, 100, 200, … never release: 30 over three rounds, one per host they used.
            let summary = await RealtimeEngineSuite.StormRunnerTests.run(Self.churn(policy, plantedLeakEvery: 100))
            // Each leaked connection holds one flag lease and one client lease.
            #expect(summary.leaks.leasesOutstanding == 60)
            #expect(summary.leaks.clientsAfterDrain > 0)
            #expect(summary.leaks.clientsAfterDrain <= 30)
            #expect(summary.lifecycle.clientsStarted - summary.lifecycle.clientsClosed == summary.leaks.clientsAfterDrain)
            let invariant = summary.invariants.first { $0.name == "nothingLeftAfterDrain" }
            #expect((invariant?.violations ?? 0) > 0)
            #expect(invariant?.example?.contains("60 lease(s)") == true)
            #expect(summary.thresholds.map(\.ok) == [false, false])
            #expect(summary.verdict == .fail)
        }
    }
}
