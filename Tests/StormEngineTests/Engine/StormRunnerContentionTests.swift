import FeatureFlags
import FlagServer
@testable import StormEngine
import StormReport
import Testing

extension RealtimeEngineSuite {
    /// Lock figures in the report come from the core's own locks, by name.
    @Suite struct StormRunnerContentionTests {
        @Test(arguments: FlagCachePolicy.allCases)
        func aHerdContendsOnTheRegistriesAndTheReportNamesThem(policy: FlagCachePolicy) async {
            var settings = RunSettings(name: "herd", policy: policy, server: FlagServerConfiguration(),
                                       load: .burst(connections: 5000))
            settings.hostCount = 4
            settings.lifetime = .zero
            settings.clientStart = .fixed(.milliseconds(1))
            let summary = await RealtimeEngineSuite.StormRunnerTests.run(settings)
            let cacheLock = summary.contention["flagCache.registry"]
            // Every connection takes the registry at least to acquire and to release its lease.
            #expect((cacheLock?.acquisitions ?? 0) >= 10_000)
            #expect(Set(summary.contention.keys) == ["flagCache.registry", "clientManager.registry"])
            for lock in summary.contention.values { #expect(lock.contended <= lock.acquisitions) }
            if policy == .seed {
                // Seed's manager holds its one lock across each host's 1 ms client start (W5): the herd queues on it.
                let manager = summary.contention["clientManager.registry"]
                #expect((manager?.contended ?? 0) > 0)
                #expect((manager?.waitMaxNanoseconds ?? 0) >= 1_000_000)
            }
        }
    }
}
