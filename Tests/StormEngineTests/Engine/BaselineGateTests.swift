import FeatureFlags
import FlagServer
import Reporting
@testable import StormEngine
import StormReport
import Testing

extension RealtimeEngineSuite {
    /// The CI gate end to end: engine runs compared with `BaselineComparison`, one of them with a planted regression.
    @Suite struct BaselineGateTests {
        /// A fetcher that asks the server twice per fetch: the planted regression (a cache that fetches twice per window).
        struct DoubleFetchingEndpoint: FlagServerEndpoint {
            let base: InMemoryFlagServerEndpoint
            var model: FlagServerModel { base.model }
            func makeFetcher(timeout: Duration) -> any FlagFetcher { DoubleFetcher(base: base.makeFetcher(timeout: timeout)) }
            func shutdown() async { await base.shutdown() }
        }

        struct DoubleFetcher: FlagFetcher {
            let base: any FlagFetcher
            func fetchFlag(for host: HostKey) async throws -> FlagFetchResult {
                _ = try? await base.fetchFlag(for: host)
                return try await base.fetchFlag(for: host)
            }
        }

        static func settings() -> RunSettings {
            var settings = RunSettings(name: "gate", policy: .recommended,
                                       server: FlagServerConfiguration(latency: .fixed(.milliseconds(5))),
                                       load: .burst(connections: 300))
            settings.hostCount = 5
            settings.lifetime = .zero
            return settings
        }

        static func run(planted: Bool) async -> RunSummary {
            let model = FlagServerModel(configuration: settings().server, start: CoarseMonotonicClock().now())
            let base = InMemoryFlagServerEndpoint(model: model)
            let endpoint: any FlagServerEndpoint = planted ? DoubleFetchingEndpoint(base: base) : base
            return await StormRunner(settings: settings(), endpoint: endpoint).run(environment: StormRunnerTests.environment)
        }

        @Test func aCacheThatFetchesTwicePerWindowIsARegressionNamedByItsMetric() async {
            var baseline = await Self.run(planted: false)
            var unchanged = await Self.run(planted: false)
            var planted = await Self.run(planted: true)
            // File descriptors are counted process-wide, and other tests open and close sockets in this process meanwhile.
            baseline.leaks.fdGrowth = 0
            unchanged.leaks.fdGrowth = 0
            planted.leaks.fdGrowth = 0
            #expect(baseline.fetches.total == 5 && baseline.fetches.redundant == 0)
            #expect(planted.fetches.total == 10 && planted.fetches.redundant == 5)

            // Latencies of a debug build sharing two cores with other tests are not this test's subject: counts are.
            let same = BaselineComparison.compare(baseline: [baseline], current: [unchanged],
                                                  tolerances: ["latency.isEnabled.p50_ns": 100, "latency.isEnabled.p99_ns": 100,
                                                               "latency.open.p99_ns": 100, "latency.fetch.p99_ns": 100])
            #expect(!same.hasRegression, "\(BaselineComparison.renderText(same))")
            let regressed = BaselineComparison.compare(baseline: [baseline], current: [planted])
            #expect(regressed.hasRegression)
            let row = regressed.rows.first { $0.metric == "fetches.redundant" }
            #expect(row?.verdict == .regression)
            #expect(row?.baseline == 0 && row?.current == 5)
            #expect(BaselineComparison.renderText(regressed).contains("regression    gate [recommended] fetches.redundant: 0 -> 5 (+5; allowed exact)"))
        }
    }
}
