import FeatureFlags
import FlagServer
import StormReport
@testable import StormEngine
import Testing

/// `fetches.minimum` by hand: TTL windows opened by the first ask at or after the previous window's end.
@Suite struct HostProbeTests {
    static let ttl = Duration.milliseconds(100)

    static func windows(_ asksInMilliseconds: [UInt64]) -> Int {
        let probe = HostProbe(index: 0, name: "h", ttl: ttl, truth: .constant(true))
        for ask in asksInMilliseconds { probe.asked(at: 1_000_000_000 + ask * 1_000_000) }
        return probe.minimumFetches
    }

    @Test func asksWithinOneTTLNeedOneFetch() {
        #expect(Self.windows([0, 10, 50, 99]) == 1)
    }

    @Test func anAskAtExactlyTheTTLOpensANewWindow() {
        #expect(Self.windows([0, 100]) == 2)
    }

    @Test func windowsStartAtTheAskNotOnAGrid() {
        // 0 opens [0, 100); 150 opens [150, 250); 240 is inside it; 260 opens the third.
        #expect(Self.windows([0, 150, 240, 260]) == 3)
    }

    @Test func aHostNobodyAskedNeedsNoFetch() {
        #expect(Self.windows([]) == 0)
    }

    @Test func aConstantFlagIsJudgedWithoutStaleness() {
        #expect(FlagTruth.constant(true).judge(false, start: .seconds(1), end: .seconds(1), ttl: .seconds(60)) == .wrong)
        #expect(FlagTruth.constant(true).judge(true, start: .seconds(1), end: .seconds(1), ttl: .seconds(60)) == .right)
    }

    @Test func theOldValueWithinTheTTLAfterAFlipIsStaleNotWrong() {
        let truth = FlagTruth.schedule(initial: true, flips: [FlagFlip(at: .seconds(10), value: false)])
        #expect(truth.judge(true, start: .seconds(10.05), end: .seconds(10.06), ttl: Self.ttl) == .stale)
        #expect(truth.judge(true, start: .seconds(10.2), end: .seconds(10.21), ttl: Self.ttl) == .wrong)
        #expect(truth.judge(false, start: .seconds(10.2), end: .seconds(10.21), ttl: Self.ttl) == .right)
        // A check spanning the flip may return either value.
        #expect(truth.judge(true, start: .seconds(9.99), end: .seconds(10.01), ttl: Self.ttl) == .right)
    }
}

extension RealtimeEngineSuite {
    /// Over real loopback HTTP: the report's fetch figures are the server journal's.
    @Suite struct StormRunnerHTTPTests {
        @Test func fetchTotalsAreTheJournalsOverHTTP() async throws {
            var settings = RunSettings(name: "spellings-over-http", policy: .seed, load: .burst(connections: 30))
            settings.spellings = [(.plain, 1), (.upper, 1), (.url, 1)]
            settings.lifetime = .fixed(.milliseconds(50))
            settings.checkInterval = .milliseconds(10)
            let model = FlagServerModel(configuration: settings.server, start: CoarseMonotonicClock().now())
            let endpoint = try await HTTPFlagServerEndpoint.start(model: model)
            let summary = await StormRunner(settings: settings, endpoint: endpoint)
                .run(environment: RealtimeEngineSuite.StormRunnerTests.environment)
            await endpoint.shutdown()
            #expect(summary.fetches.total == model.journal().count)
            #expect(summary.fetches.total == model.statistics().requests)
            #expect(summary.fetches.total == 3)  // one per raw spelling under seed (W3)
            #expect(summary.fetches.minimum == 1)
            #expect(summary.fetches.redundant == 2)
            #expect(summary.fetches.byHost == [HostFetches(host: "host-0.example.com", total: 3, minimum: 1)])
            #expect((summary.latency["fetch"]?.count ?? 0) == 3)
        }
    }
}
