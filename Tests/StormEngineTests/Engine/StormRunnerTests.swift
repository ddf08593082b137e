import FeatureFlags
import FlagServer
@testable import StormEngine
import StormReport
import Testing

extension RealtimeEngineSuite {
    /// The engine end to end over the in-memory transport (real time, a fake
    /// server model with real latency), on small cases whose figures can be checked by hand.
    @Suite struct StormRunnerTests {
        static let environment = EnvironmentInfo(toolchain: "test", cores: 2, allocator: "test", startedAt: "now")

        static func run(_ settings: RunSettings) async -> RunSummary {
            let model = FlagServerModel(configuration: settings.server, start: CoarseMonotonicClock().now())
            let runner = StormRunner(settings: settings, endpoint: InMemoryFlagServerEndpoint(model: model))
            return await runner.run(environment: environment)
        }

        static func coldHerd(_ policy: FlagCachePolicy) -> RunSettings {
            var settings = RunSettings(name: "cold-herd", policy: policy,
                                       server: FlagServerConfiguration(latency: .fixed(.milliseconds(50))),
                                       load: .burst(connections: 200))
            settings.lifetime = .zero
            settings.thresholds = ["fetches.redundant == 0", "answers.wrong == 0"]
            return settings
        }

        @Test func coldHerdUnderSeedGivesOneFetchAndWrongAnswersForEveryWaiter() async {
            let summary = await Self.run(Self.coldHerd(.seed))
            #expect(summary.fetches.total == 1)
            #expect(summary.fetches.minimum == 1)
            #expect(summary.answers.total == 200)
            #expect(summary.answers.wrong == 199)
            #expect(summary.invariants.first { $0.name == "answersMatchTruth" }?.violations == 199)
            #expect(summary.thresholds.map(\.ok) == [true, false])
            #expect(summary.thresholds[1].value == 199)
            #expect(summary.verdict == .fail)
            #expect(summary.connections.opened == 200 && summary.connections.closed == 200)
            #expect(summary.lifecycle.clientsStarted == 1 && summary.lifecycle.clientsClosed == 1)
            #expect(summary.leaks.leasesOutstanding == 0 && summary.leaks.clientsAfterDrain == 0)
        }

        @Test func coldHerdUnderRecommendedGivesOneFetchAndRightAnswers() async {
            let summary = await Self.run(Self.coldHerd(.recommended))
            #expect(summary.fetches.total == 1)
            #expect(summary.fetches.redundant == 0)
            #expect(summary.answers.total == 200)
            #expect(summary.answers.wrong == 0)
            #expect(summary.verdict == .pass)
            #expect(summary.latency["isEnabled"]?.count == 200)
            #expect((summary.latency["isEnabled"]?.maxNanoseconds ?? 0) >= 40_000_000)
        }
    }
}
