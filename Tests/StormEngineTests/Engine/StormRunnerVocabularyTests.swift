import FeatureFlags
@testable import StormEngine
import StormReport
import Testing

extension RealtimeEngineSuite {
    /// Thresholds are checked against ``MetricVocabulary`` before a run; a real run must report exactly the
    /// operations, locks and invariants it names, or a valid threshold would read nothing (or a new figure could not be gated).
    @Suite struct StormRunnerVocabularyTests {
        @Test(arguments: [FlagCachePolicy.seed, .recommended])
        func aRunReportsExactlyTheVocabularysOperationsLocksAndInvariants(policy: FlagCachePolicy) async {
            var settings = StormRunnerTests.coldHerd(policy)
            settings.load = .burst(connections: 20)
            let summary = await StormRunnerTests.run(settings)
            #expect(Set(summary.latency.keys) == Set(MetricVocabulary.latencyOperations))
            #expect(Set(summary.contention.keys) == Set(MetricVocabulary.locks))
            #expect(summary.invariants.map(\.name) == MetricVocabulary.invariants)
        }
    }
}
