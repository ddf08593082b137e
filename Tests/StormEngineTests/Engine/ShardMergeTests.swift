import FeatureFlags
import FlagServer
import Probes
@testable import StormEngine
import StormReport
import Testing

extension RealtimeEngineSuite {
    /// `--shard I/N` and `flagstorm merge`: shards cover disjoint hosts and their reports add up to the unsharded run.
    @Suite struct ShardedRunTests {
        static func settings(shard: RunShard?) -> RunSettings {
            var settings = RunSettings(name: "sharded", policy: .recommended,
                                       server: FlagServerConfiguration(latency: .fixed(.milliseconds(20))),
                                       load: .burst(connections: 600))
            settings.hostCount = 30
            settings.zipfExponent = 1
            settings.lifetime = .zero
            settings.thresholds = ["fetches.redundant == 0", "answers.wrong == 0", "fetches.total <= 30"]
            settings.shard = shard
            return settings
        }

        @Test func mergingBothShardsGivesTheUnshardedCountsAndPercentilesFromTheMergedHistograms() async throws {
            let whole = await StormRunnerTests.run(Self.settings(shard: nil))
            let first = await StormRunnerTests.run(Self.settings(shard: try RunShard(parsing: "1/2")))
            let second = await StormRunnerTests.run(Self.settings(shard: try RunShard(parsing: "2/2")))
            #expect(first.scenario.shard == "1/2" && second.scenario.shard == "2/2")
            #expect(first.connections.hosts == 15 && second.connections.hosts == 15)
            // Each shard ran only its own hosts.
            let firstHosts = Set(first.fetches.byHost.map(\.host)), secondHosts = Set(second.fetches.byHost.map(\.host))
            #expect(firstHosts.isDisjoint(with: secondHosts))
            #expect(first.connections.opened > 0 && second.connections.opened > 0)

            let merged = try ShardMerge.merge([second, first])
            #expect(merged.scenario.shard == nil)
            #expect(merged.connections.opened == whole.connections.opened)
            #expect(merged.connections.opened == 600)
            #expect(merged.connections.closed == whole.connections.closed)
            #expect(merged.connections.hosts == whole.connections.hosts)
            #expect(merged.answers.total == whole.answers.total)
            #expect(merged.answers.wrong == whole.answers.wrong)
            #expect(merged.fetches.total == whole.fetches.total)
            #expect(merged.fetches.minimum == whole.fetches.minimum)
            #expect(merged.fetches.redundant == whole.fetches.redundant)
            #expect(merged.lifecycle.clientsStarted == whole.lifecycle.clientsStarted)
            #expect(Set(merged.fetches.byHost.map(\.host)) == Set(whole.fetches.byHost.map(\.host)))
            #expect(merged.latency["isEnabled"]?.count == whole.latency["isEnabled"]?.count)
            #expect(merged.thresholds.map(\.expression) == whole.thresholds.map(\.expression))
            #expect(merged.thresholds.allSatisfy { $0.ok })
            #expect(merged.verdict == .pass)

            // Percentiles come from the merged histograms, not from the shards' percentiles.
            for operation in ["isEnabled", "open", "fetch"] {
                var expected = LatencyRecorder()
                for shard in [first, second] {
                    expected.merge(try LatencyRecorder(decoding: try #require(shard.latency[operation]).histogram))
                }
                let entry = try #require(merged.latency[operation])
                #expect(entry.count == Int(expected.count))
                #expect(entry.p99Nanoseconds == Int64(expected.percentile(99)))
                #expect(entry.p50Nanoseconds == Int64(expected.percentile(50)))
                #expect(entry.maxNanoseconds == Int64(expected.max))
            }
            // Lock figures too: acquisitions add up, and the wait histogram holds every contended wait.
            for (lock, contention) in merged.contention {
                let parts = [first, second].compactMap { $0.contention[lock] }
                #expect(contention.acquisitions == parts.reduce(0) { $0 + $1.acquisitions })
                #expect(contention.wait?.count == contention.contended)
            }
            // The timeline's fetch columns add up to the journal's total.
            #expect(merged.timeline?.fetches.reduce(0, +) == merged.fetches.total)
        }
    }
}

/// Merging refuses what it cannot merge exactly, and reads percentiles from merged histograms.
@Suite struct ShardMergeTests {
    static func report(shard: String?, values: [UInt64], seed: UInt64 = 1) -> RunSummary {
        var recorder = LatencyRecorder()
        for value in values { recorder.record(value) }
        return RunSummary(
            scenario: ScenarioInfo(name: "s", file: nil, mode: "realtime", policy: "recommended", seed: seed, shard: shard),
            environment: EnvironmentInfo(toolchain: "t", cores: 2, allocator: "a", startedAt: "2026-11-26T00:00:0\(shard?.first ?? "0")Z"),
            durationNanoseconds: 1, connections: ConnectionCounts(opened: values.count, closed: values.count, hosts: 1),
            fetches: FetchCounts(total: 3, minimum: 2), answers: AnswerCounts(total: values.count),
            latency: ["isEnabled": OperationLatency(recorder: recorder).entry], contention: [:],
            lifecycle: LifecycleCounts(), leaks: LeakFigures(),
            invariants: [InvariantResult(name: "answersMatchTruth", violations: 0)],
            thresholds: [ThresholdResult(expression: "fetches.redundant <= 1", ok: true, value: 1)], verdict: .pass)
    }

    @Test func percentilesComeFromTheMergedHistogramNotTheAverage() throws {
        let fast = Self.report(shard: "1/2", values: Array(repeating: 1_000, count: 900))
        let slow = Self.report(shard: "2/2", values: Array(repeating: 1_000_000, count: 100))
        let merged = try ShardMerge.merge([fast, slow])
        let entry = try #require(merged.latency["isEnabled"])
        #expect(entry.count == 1_000)
        // 90 % of the merged values are 1 µs, so the median is about 1 µs; averaging the medians would say about 500 µs.
        #expect(entry.p50Nanoseconds < 1_100)
        #expect(entry.p99Nanoseconds > 990_000)
        #expect(merged.fetches.total == 6 && merged.fetches.minimum == 4 && merged.fetches.redundant == 2)
        // Thresholds are evaluated again on the merged figures: redundant 2 now fails `<= 1`.
        #expect(merged.thresholds.map(\.ok) == [false])
        #expect(merged.verdict == .fail)
        #expect(merged.environment.startedAt == "2026-11-26T00:00:01Z")
    }

    @Test func aMissingShardIsNamed() {
        #expect(throws: ShardMerge.Problem.self) { try ShardMerge.merge([Self.report(shard: "1/3", values: [1])]) }
        do {
            _ = try ShardMerge.merge([Self.report(shard: "1/3", values: [1]), Self.report(shard: "3/3", values: [1])])
            Issue.record("merged with a shard missing")
        } catch {
            #expect(error.description.contains("2/3 missing"))
        }
    }

    @Test func aRepeatedShardAReportWithoutAShardAndMixedSeedsAreRefused() {
        for reports in [
            [Self.report(shard: "1/2", values: [1]), Self.report(shard: "1/2", values: [1]), Self.report(shard: "2/2", values: [1])],
            [Self.report(shard: nil, values: [1])],
            [Self.report(shard: "1/2", values: [1]), Self.report(shard: "2/2", values: [1], seed: 9)],
            [Self.report(shard: "1/2", values: [1]), Self.report(shard: "2/3", values: [1])],
        ] {
            #expect(throws: ShardMerge.Problem.self) { try ShardMerge.merge(reports) }
        }
    }

    @Test func mergeAllGroupsByScenarioAndPolicy() throws {
        var other = Self.report(shard: "1/1", values: [5])
        other.scenario.name = "t"
        let merged = try ShardMerge.mergeAll([Self.report(shard: "2/2", values: [1]), other, Self.report(shard: "1/2", values: [1])])
        #expect(merged.map(\.scenario.name) == ["s", "t"])
        #expect(merged[0].connections.opened == 2)
    }

    @Test func shardSyntaxIsCheckedAndHostsAreDealtRoundRobin() throws {
        for bad in ["0/2", "3/2", "1/0", "a/b", "1", "1/2/3", ""] {
            #expect(throws: ShardSyntaxError.self) { try RunShard(parsing: bad) }
        }
        let second = try RunShard(parsing: "2/3")
        #expect((0..<9).filter { second.contains(host: $0) } == [1, 4, 7])
        #expect(second.description == "2/3")
    }
}
