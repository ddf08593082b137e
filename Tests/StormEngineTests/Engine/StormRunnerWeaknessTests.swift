import FeatureFlags
import FlagServer
@testable import StormEngine
import StormReport
import Testing

extension RealtimeEngineSuite {
    /// Each weakness W2–W10 as a small realtime run over the in-memory transport:
    /// the figure that shows it is non-zero under `seed` and zero under `recommended`.
    /// (W1 is the cold herd in ``StormRunnerTests``.)
    @Suite struct StormRunnerWeaknessTests {
        static func run(_ settings: RunSettings) async -> RunSummary {
            await RealtimeEngineSuite.StormRunnerTests.run(settings)
        }

        static func invariant(_ name: String, _ summary: RunSummary) -> Int {
            summary.invariants.first { $0.name == name }?.violations ?? -1
        }

        /// A server that advertises no TTL, so both policies use the scenario's.
        static func server(latency: Duration = .zero) -> FlagServerConfiguration {
            FlagServerConfiguration(defaultHost: FlagHostProfile(ttlSpelling: .none), latency: .fixed(latency))
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func churnAgainstTheTTL(policy: FlagCachePolicy) async {  // W2
            var settings = RunSettings(name: "w2", policy: policy, server: Self.server(),
                                       load: .constantConnections(connections: 1, duration: .milliseconds(300)))
            settings.lifetime = .zero
            let summary = await Self.run(settings)
            #expect(summary.connections.opened >= 5)
            #expect(summary.fetches.minimum == 1)
            if policy == .seed {
                #expect(summary.fetches.total == summary.connections.opened)
            } else {
                #expect(summary.fetches.total == 1)
            }
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func hostSpellings(policy: FlagCachePolicy) async {  // W3
            var settings = RunSettings(name: "w3", policy: policy, server: Self.server(),
                                       load: .burst(connections: 60))
            // The Go test's spellings; `port` would also split seed's manager, which does not strip ports.
            settings.spellings = [(.plain, 1), (.upper, 1), (.url, 1)]
            settings.lifetime = .fixed(.milliseconds(100))
            settings.checkInterval = .milliseconds(20)
            let summary = await Self.run(settings)
            #expect(summary.lifecycle.clientsStarted == 1)
            if policy == .seed {
                #expect(summary.fetches.total == 3)
                #expect(summary.fetches.redundant == 2)
            } else {
                #expect(summary.fetches.total == 1)
                #expect(summary.fetches.redundant == 0)
            }
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func doubleRelease(policy: FlagCachePolicy) async {  // W4
            var settings = RunSettings(name: "w4", policy: policy, server: Self.server(),
                                       load: .burst(connections: 20))
            settings.lifetime = .uniform(min: .milliseconds(20), max: .milliseconds(200))
            settings.checkInterval = .milliseconds(10)
            settings.doubleReleaseFraction = 0.3
            let summary = await Self.run(settings)
            if policy == .seed {
                #expect(summary.lifecycle.clientsClosedWhileInUse > 0)
                #expect(summary.answers.wrong > 0)
            } else {
                #expect(summary.lifecycle.doubleReleases > 0)
                #expect(summary.lifecycle.clientsClosedWhileInUse == 0)
                #expect(summary.answers.wrong == 0)
                #expect(summary.verdict == .pass)
            }
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func slowStartOnOneHost(policy: FlagCachePolicy) async {  // W5
            var settings = RunSettings(name: "w5", policy: policy, server: Self.server(),
                                       load: .constantArrival(rate: ArrivalRate(count: 200, per: .seconds(1)), duration: .milliseconds(300), maxConnections: 1000))
            settings.hostCount = 10
            settings.slowHosts = [.init(hosts: ["host-0.example.com"], start: .fixed(.milliseconds(300)), close: nil)]
            settings.lifetime = .zero
            let summary = await Self.run(settings)
            if policy == .seed {
                #expect(summary.lifecycle.acquiresBlockedByOtherHost > 0)
            } else {
                #expect(summary.lifecycle.acquiresBlockedByOtherHost == 0)
            }
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func acquireDuringSlowClose(policy: FlagCachePolicy) async {  // W6
            var settings = RunSettings(name: "w6", policy: policy, server: Self.server(),
                                       load: .constantArrival(rate: ArrivalRate(count: 20, per: .seconds(1)), duration: .milliseconds(400), maxConnections: 1000))
            settings.lifetime = .fixed(.milliseconds(20))
            settings.checkInterval = .milliseconds(10)
            settings.clientClose = .fixed(.milliseconds(150))
            let summary = await Self.run(settings)
            if policy == .seed {
                #expect(summary.lifecycle.peakClientsPerHost > 1)
            } else {
                #expect(summary.lifecycle.peakClientsPerHost == 1)
                #expect(Self.invariant("oneLiveClientPerHost", summary) == 0)
            }
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func outageWithRetryAfter(policy: FlagCachePolicy) async {  // W7
            var server = Self.server()
            server.outages = [FlagServerOutage(window: FlagServerTimeWindow(start: .milliseconds(100), end: .seconds(2)),
                                               status: 503, retryAfterSeconds: 1)]
            var settings = RunSettings(name: "w7", policy: policy, server: server,
                                       load: .constantConnections(connections: 4, duration: .milliseconds(600)))
            settings.ttl = .milliseconds(50)
            settings.lifetime = .fixed(.milliseconds(600))
            settings.checkInterval = .milliseconds(5)
            let summary = await Self.run(settings)
            if policy == .seed {
                #expect(summary.fetches.beforeRetryAfter > 10)
            } else {
                #expect(summary.fetches.beforeRetryAfter == 0)
                // The outage was met (how many refreshes met it depends on timing), and Retry-After held.
            #expect(summary.fetches.failed >= 1)
                #expect(summary.answers.wrong == 0)
            }
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func cancelledFirstCaller(policy: FlagCachePolicy) async {  // W8
            var settings = RunSettings(name: "w8", policy: policy, server: Self.server(latency: .milliseconds(60)),
                                       load: .burst(connections: 30))
            settings.cancelFirstCheckFraction = 1
            settings.cancelAfter = .milliseconds(15)
            settings.lifetime = .fixed(.milliseconds(150))
            settings.checkInterval = .milliseconds(100)
            let summary = await Self.run(settings)
            if policy == .seed {
                // Only the caller that started the fetch waits (and is cancelled); the rest get `false` at once.
                #expect(summary.answers.cancelled == 1)
                #expect(summary.fetches.total == 2)
                #expect(summary.answers.wrong > 0)
            } else {
                #expect(summary.answers.cancelled == 30)
                #expect(summary.fetches.total == 1)
                #expect(summary.answers.wrong == 0)
            }
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func expiryUnderLoad(policy: FlagCachePolicy) async {  // W9
            var settings = RunSettings(name: "w9", policy: policy, server: Self.server(latency: .milliseconds(30)),
                                       load: .constantConnections(connections: 3, duration: .milliseconds(500)))
            settings.ttl = .milliseconds(150)
            settings.lifetime = .fixed(.milliseconds(500))
            settings.checkInterval = .milliseconds(5)
            let summary = await Self.run(settings)
            if policy == .seed {
                #expect(summary.answers.waitedOnRefresh > 0)
            } else {
                #expect(summary.answers.waitedOnRefresh == 0)
            }
        }

        @Test(arguments: FlagCachePolicy.allCases)
        func crashingRefresh(policy: FlagCachePolicy) async {  // W10
            var settings = RunSettings(name: "w10", policy: policy, server: Self.server(),
                                       load: .constantConnections(connections: 2, duration: .milliseconds(500)))
            settings.ttl = .milliseconds(50)
            settings.fetchTimeout = .milliseconds(100)
            settings.backoffBase = .milliseconds(50)
            settings.crashingFetches = [2]
            // Outlive the slot, so no connection is replaced (seed would drop the stuck entry with the last release, W2).
            settings.lifetime = .fixed(.milliseconds(600))
            settings.checkInterval = .milliseconds(5)
            let summary = await Self.run(settings)
            if policy == .seed {
                #expect(Self.invariant("fetchStateCleared", summary) == 1)
                #expect(summary.fetches.total == 1)
            } else {
                #expect(Self.invariant("fetchStateCleared", summary) == 0)
                #expect(summary.fetches.total >= 3)
            }
        }
    }
}
