import Foundation
import StormReport
import Testing

/// The vocabulary thresholds are checked against must be exactly the report's numeric fields.
@Suite struct MetricVocabularyTests {
    /// A report with every optional figure set and every operation, lock and invariant the vocabulary names,
    /// so that every numeric field the JSON can hold is present in it.
    static func fullSummary() -> RunSummary {
        let entry = LatencyEntry(count: 1, p50Nanoseconds: 2, p90Nanoseconds: 3, p99Nanoseconds: 4, p999Nanoseconds: 5,
                                 maxNanoseconds: 6, meanNanoseconds: 7, histogram: "h",
                                 percentiles: [LatencyPercentile(percentile: 50, valueNanoseconds: 2)])
        let buckets = DurationBuckets(buckets: [[1, 2]], count: 2, maxNanoseconds: 3, sumNanoseconds: 4)
        let lock = LockContention(acquisitions: 1, contended: 2, waitP50Nanoseconds: 3, waitP99Nanoseconds: 4,
                                  waitMaxNanoseconds: 5, holdP99Nanoseconds: 6, wait: buckets, hold: buckets)
        return RunSummary(
            scenario: ScenarioInfo(name: "s", file: "s.yaml", mode: "realtime", policy: "recommended", seed: 1,
                                   description: "d", shard: "1/2", repetition: "1/3"),
            environment: EnvironmentInfo(toolchain: "t", cores: 2, allocator: "jemalloc", startedAt: "now", build: "debug"),
            durationNanoseconds: 5,
            connections: ConnectionCounts(opened: 3, closed: 3, peakConcurrent: 3, hosts: 1, lateStarts: 1, dropped: 1,
                                          bytesPerConnection: 900),
            fetches: FetchCounts(total: 2, minimum: 1, failed: 1, rateLimited: 1, beforeRetryAfter: 1, peakPerHostPerMinute: 2,
                                 byHost: [HostFetches(host: "h", total: 2, minimum: 1)]),
            answers: AnswerCounts(total: 10, wrong: 1, errors: 1, cancelled: 1, waitedOnRefresh: 1, stale: 1),
            latency: Dictionary(uniqueKeysWithValues: MetricVocabulary.latencyOperations.map { ($0, entry) }),
            contention: Dictionary(uniqueKeysWithValues: MetricVocabulary.locks.map { ($0, lock) }),
            lifecycle: LifecycleCounts(clientsStarted: 1, clientsClosed: 1, peakClientsPerHost: 1, clientsClosedWhileInUse: 1,
                                       eventsAfterClose: 1, doubleReleases: 1, acquiresBlockedByOtherHost: 1),
            leaks: LeakFigures(cacheEntriesAfterDrain: 1, clientsAfterDrain: 1, leasesOutstanding: 1, tasksOutstanding: 1,
                               allocatedBytesGrowth: 1000, fdGrowth: 1),
            invariants: MetricVocabulary.invariants.map { InvariantResult(name: $0, violations: 1, example: "e") },
            thresholds: [ThresholdResult(expression: "answers.wrong == 0", ok: false, value: 1, message: "m")],
            verdict: .fail,
            timeline: RunTimeline(bucketNanoseconds: 1, liveConnections: [1], liveClients: [1], fetches: [1]),
            harness: HarnessDelivery(intendedOpens: 3, achievedOpens: 3, lateOpens: 1, intendedChecks: 12, achievedChecks: 10,
                                     requiredFraction: 0.95))
    }

    /// What the report describes rather than measures, and the histograms its figures are read from: not thresholds' business.
    static let notMeasurements: Set<[String]> = [["schema"], ["scenario"], ["environment"], ["thresholds"], ["verdict"], ["timeline"]]
    static let histogramKeys: Set<String> = ["histogram", "percentiles", "wait", "hold", "byHost"]

    /// Every path to a number in `object` (arrays skipped; `invariants` read by name, as thresholds read them).
    static func numericPaths(_ object: Any, _ prefix: [String] = []) -> Set<[String]> {
        if prefix == ["invariants"], let list = object as? [[String: Any]] {
            return Set(list.compactMap { $0["name"] as? String }.map { prefix + [$0] })
        }
        if let dictionary = object as? [String: Any] {
            var paths: Set<[String]> = []
            for (key, value) in dictionary where !notMeasurements.contains(prefix + [key]) && !histogramKeys.contains(key) {
                paths.formUnion(numericPaths(value, prefix + [key]))
            }
            return paths
        }
        return object is NSNumber && !(object is String) ? [prefix] : []
    }

    @Test func theVocabularyIsExactlyTheNumericFieldsOfAnEncodedReport() throws {
        let document = ThresholdExpression.document(of: Self.fullSummary())
        let encoded = Self.numericPaths(document)
        let named = Set(MetricVocabulary.run.metrics.map(\.components))
        #expect(encoded.subtracting(named).isEmpty, "report fields missing from the vocabulary: \(encoded.subtracting(named).sorted { $0.description < $1.description })")
        #expect(named.subtracting(encoded).isEmpty, "vocabulary names no report field: \(named.subtracting(encoded).sorted { $0.description < $1.description })")
        for metric in MetricVocabulary.run.metrics {
            #expect(ThresholdExpression.lookup(metric.components, in: document) != nil, "\(metric)")
        }
    }

    @Test func kindsFollowTheReportsNamingConventions() {
        for metric in MetricVocabulary.run.metrics {
            let key = metric.components.last ?? ""
            #expect((metric.kind == .duration) == key.hasSuffix("_ns"), "\(metric)")
            #expect((metric.kind == .bytes) == key.lowercased().contains("bytes"), "\(metric)")
        }
    }

    @Test func everyMetricIsFoundByItsWrittenName() {
        for metric in MetricVocabulary.run.metrics {
            #expect(MetricVocabulary.run.metric(named: metric.name) == metric)
        }
        #expect(MetricVocabulary.run.metric(named: "contention.clientManager.registry.wait_p99_ns")?.kind == .duration)
        #expect(MetricVocabulary.run.metric(named: "invariants.answersMatchTruth")?.kind == .count)
        #expect(MetricVocabulary.run.metric(named: "answers.wrng") == nil)
    }

    @Test func suggestionsAreOnlyForNamesCloseEnoughToBeTypos() {
        let known = MetricVocabulary.run.metrics.map(\.name)
        #expect(MetricVocabulary.suggestion(for: "answers.wrng", among: known) == "answers.wrong")
        #expect(MetricVocabulary.suggestion(for: "Answers.Wrong", among: known) == "answers.wrong")
        #expect(MetricVocabulary.suggestion(for: "leaks.clients", among: known) == nil)
        #expect(MetricVocabulary.run.unknownNameMessage("invariants.bogus")
            == "no such report field invariants.bogus (invariants.INVARIANT with INVARIANT one of \(MetricVocabulary.invariants.joined(separator: ", ")))")
    }
}
