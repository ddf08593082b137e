import Reporting
import StormReport
import Testing

@Suite struct BaselineComparisonTests {
    static func summary(policy: String = "recommended", wrong: Int = 0, p99: Int64 = 1_000, lockWait: Int64 = 500,
                        contended: UInt64 = 200, fetches: Int = 10) -> RunSummary {
        RunSummary(
            scenario: ScenarioInfo(name: "many-hosts", file: nil, mode: "realtime", policy: policy, seed: 1),
            environment: EnvironmentInfo(toolchain: "t", cores: 2, allocator: "jemalloc 5.3.0", startedAt: "now"),
            durationNanoseconds: 1,
            connections: ConnectionCounts(), fetches: FetchCounts(total: fetches, minimum: 10),
            answers: AnswerCounts(total: 100, wrong: wrong),
            latency: ["isEnabled": LatencyEntry(count: 100, p50Nanoseconds: 100, p90Nanoseconds: 200, p99Nanoseconds: p99,
                                                p999Nanoseconds: p99, maxNanoseconds: p99, meanNanoseconds: 100, histogram: "")],
            contention: ["flagCache.registry": LockContention(acquisitions: 10_000, contended: contended, waitP50Nanoseconds: 1,
                                                              waitP99Nanoseconds: lockWait, waitMaxNanoseconds: lockWait, holdP99Nanoseconds: 1)],
            lifecycle: LifecycleCounts(), leaks: LeakFigures(),
            invariants: [InvariantResult(name: "answersMatchTruth", violations: wrong, gating: policy == "recommended")],
            thresholds: [], verdict: .pass)
    }

    /// The comparison with the latency rule's repeat count lowered to one, so each rule is tested on single reports.
    static func compare(baseline: [RunSummary], current: [RunSummary], tolerances: [String: Double] = [:]) -> BaselineComparison.Result {
        BaselineComparison.compare(baseline: baseline, current: current, tolerances: tolerances, minimumRepeats: 1)
    }

    @Test func latenciesFromFewerThanThreeRepeatsAreNotJudgedAndTheResultSaysWhy() {
        let baseline = [Self.summary(p99: 1_000), Self.summary(p99: 1_000), Self.summary(p99: 1_000)]
        let one = BaselineComparison.compare(baseline: baseline, current: [Self.summary(p99: 90_000, lockWait: 90_000)])
        #expect(!one.hasRegression)
        #expect(Self.row(one, "latency.isEnabled.p99_ns") == nil)
        #expect(Self.row(one, "contention.flagCache.registry.wait_p99_ns") == nil)
        #expect(one.latencyNotJudged?.contains("many-hosts [recommended] has 1 current repeat") == true)
        #expect(one.latencyNotJudged?.hasSuffix("run with --repeat 3") == true)
        // Counts are still compared exactly.
        #expect(BaselineComparison.compare(baseline: baseline, current: [Self.summary(wrong: 1)]).hasRegression)
        // Three repeats on each side: judged.
        let three = BaselineComparison.compare(baseline: baseline, current: Array(repeating: Self.summary(p99: 90_000), count: 3))
        #expect(three.latencyNotJudged == nil)
        #expect(Self.row(three, "latency.isEnabled.p99_ns")?.verdict == .regression)
        // Too few baseline repeats are named as such.
        let thinBaseline = BaselineComparison.compare(baseline: [Self.summary()], current: Array(repeating: Self.summary(), count: 3))
        #expect(thinBaseline.latencyNotJudged?.contains("has 1 baseline repeat") == true)
        #expect(BaselineComparison.compare(baseline: baseline, current: baseline, countsOnly: true).latencyNotJudged
                == "latencies and lock waits not judged: --counts-only")
    }

    static func row(_ result: BaselineComparison.Result, _ metric: String) -> BaselineComparison.Row? {
        result.rows.first { $0.metric == metric }
    }

    @Test func aCountThatGrowsUnderRecommendedIsARegression() {
        let result = Self.compare(baseline: [Self.summary()], current: [Self.summary(wrong: 1)])
        #expect(result.hasRegression)
        #expect(Self.row(result, "answers.wrong")?.verdict == .regression)
        #expect(Self.row(result, "invariants.answersMatchTruth")?.verdict == .regression)
        #expect(Self.row(result, "answers.wrong")?.change == "+1")
    }

    @Test func countsUnderSeedAreListedButNeverRegressions() {
        let result = Self.compare(baseline: [Self.summary(policy: "seed", wrong: 900)],
                                                current: [Self.summary(policy: "seed", wrong: 999)])
        #expect(!result.hasRegression)
        #expect(Self.row(result, "answers.wrong")?.verdict == .informational)
    }

    @Test func latencyWithinToleranceIsNoiseAndBeyondItIsARegression() {
        // p99: 200 % above the largest baseline, plus 100 ns of resolution.
        let noise = Self.compare(baseline: [Self.summary(p99: 1_000)], current: [Self.summary(p99: 3_100)])
        #expect(Self.row(noise, "latency.isEnabled.p99_ns")?.verdict == .withinNoise)
        #expect(!noise.hasRegression)
        let slower = Self.compare(baseline: [Self.summary(p99: 1_000)], current: [Self.summary(p99: 3_200)])
        #expect(Self.row(slower, "latency.isEnabled.p99_ns")?.verdict == .regression)
        #expect(Self.row(slower, "latency.isEnabled.p99_ns")?.change == "+220.0 %")
        #expect(Self.row(slower, "latency.isEnabled.p99_ns")?.allowed == "≤ 3.1µs (+200 % of the largest baseline)")
        let tighter = Self.compare(baseline: [Self.summary(p99: 1_000)], current: [Self.summary(p99: 1_400)],
                                                 tolerances: ["latency.isEnabled.p99_ns": 0.2])
        #expect(tighter.hasRegression)
    }

    @Test func lockWaitsAreComparedByLockNameWhenContendedEnough() {
        let result = Self.compare(baseline: [Self.summary(lockWait: 500)], current: [Self.summary(lockWait: 5_200)])
        #expect(Self.row(result, "contention.flagCache.registry.wait_p99_ns")?.verdict == .regression)
        #expect(Self.row(result, "contention.flagCache.registry.wait_p99_ns")?.allowed.contains("+900 %") == true)
        // A p99 over a handful of contended acquisitions is noise: not compared.
        let sparse = Self.compare(baseline: [Self.summary(lockWait: 500, contended: 5)],
                                                current: [Self.summary(lockWait: 5_000, contended: 5)])
        #expect(Self.row(sparse, "contention.flagCache.registry.wait_p99_ns") == nil)
    }

    @Test func seedRunsNeverGate() {
        let result = Self.compare(baseline: [Self.summary(policy: "seed", p99: 1_000)],
                                                current: [Self.summary(policy: "seed", p99: 9_000)])
        #expect(!result.hasRegression)
        #expect(Self.row(result, "latency.isEnabled.p99_ns")?.verdict == .informational)
    }

    @Test func latencyRepeatsAreJudgedByTheBestAndCountsByTheMedian() {
        // One or two slow outliers among three current runs (a descheduled thread) are not a regression.
        let noisy = [Self.summary(p99: 1_200), Self.summary(p99: 9_000), Self.summary(p99: 9_100)]
        let result = Self.compare(baseline: [Self.summary(p99: 1_000)], current: noisy)
        #expect(Self.row(result, "latency.isEnabled.p99_ns")?.current == 1_200)
        #expect(!result.hasRegression)
        // Every repeat slower: a regression.
        let slower = [Self.summary(p99: 9_200), Self.summary(p99: 9_000), Self.summary(p99: 9_100)]
        #expect(Self.compare(baseline: [Self.summary(p99: 1_000)], current: slower).hasRegression)
        // Counts: the median of the repeats.
        let counts = [Self.summary(wrong: 0), Self.summary(wrong: 2), Self.summary(wrong: 0)]
        #expect(Self.row(Self.compare(baseline: [Self.summary()], current: counts), "answers.wrong")?.verdict == .same)
    }

    @Test func latencyIsComparedWithTheLargestBaselineRepeat() {
        let baseline = [Self.summary(p99: 1_000), Self.summary(p99: 3_000), Self.summary(p99: 1_200)]
        let result = Self.compare(baseline: baseline, current: [Self.summary(p99: 9_000)])
        let row = Self.row(result, "latency.isEnabled.p99_ns")
        #expect(row?.baseline == 1_200)
        #expect(row?.verdict == .withinNoise)
        #expect(row?.allowed == "≤ 9.1µs (+200 % of the largest baseline of 3)")
        let slower = Self.compare(baseline: baseline, current: [Self.summary(p99: 9_200)])
        #expect(slower.hasRegression)
    }

    @Test func aCountTheBaselineRepeatsAgreeOnIsComparedExactly() {
        let baseline = [Self.summary(fetches: 12), Self.summary(fetches: 12), Self.summary(fetches: 12)]
        let result = Self.compare(baseline: baseline, current: [Self.summary(fetches: 13)])
        #expect(Self.row(result, "fetches.redundant")?.verdict == .regression)
        #expect(Self.row(result, "fetches.redundant")?.allowed == "exact")
        #expect(Self.row(result, "fetches.redundant")?.change == "+1")
    }

    @Test func aCountThatVariedAcrossBaselineRepeatsMayReachItsLargestPlusItsSpread() {
        // Redundant fetches 82, 95 and 110 in three unchanged runs (refresh-ahead depends on timing).
        let baseline = [Self.summary(fetches: 92), Self.summary(fetches: 105), Self.summary(fetches: 120)]
        let noise = Self.compare(baseline: baseline, current: [Self.summary(fetches: 148)])
        #expect(Self.row(noise, "fetches.redundant")?.verdict == .withinNoise)
        #expect(Self.row(noise, "fetches.redundant")?.allowed == "≤ 138 (baseline repeats 82–110)")
        // A cache that fetches twice per window is far outside that.
        let doubled = Self.compare(baseline: baseline, current: [Self.summary(fetches: 2_700)])
        #expect(Self.row(doubled, "fetches.redundant")?.verdict == .regression)
        #expect(BaselineComparison.renderText(doubled).contains("regression    many-hosts [recommended] fetches.redundant: 95 -> 2690 (+2595; allowed ≤ 138 (baseline repeats 82–110))"))
    }

    @Test func aPercentileOfFewerThanAHundredSamplesIsNotCompared() {
        var few = Self.summary(p99: 9_000_000)
        few.latency["isEnabled"]?.count = 3
        let result = Self.compare(baseline: [Self.summary(p99: 1_000)], current: [few])
        #expect(Self.row(result, "latency.isEnabled.p99_ns") == nil)
        #expect(!result.hasRegression)
    }

    @Test func aScenarioWithoutBaselineIsListed() {
        var other = Self.summary()
        other.scenario.name = "new-scenario"
        let result = Self.compare(baseline: [Self.summary()], current: [Self.summary(), other])
        #expect(result.missingBaselines == ["new-scenario [recommended]"])
        #expect(BaselineComparison.renderText(result).contains("no baseline  new-scenario [recommended]"))
    }
}

extension BaselineComparisonTests {
    @Test func aToleranceMayNameOnlyAMetricCompareJudgesWithOne() {
        for metric in BaselineComparison.latencyMetrics + ["contention.flagCache.registry.wait_p99_ns", "contention.clientManager.registry.wait_p99_ns"] {
            #expect(BaselineComparison.toleranceProblem(forMetric: metric) == nil, "\(metric)")
        }
        let list = "tolerances apply to " + BaselineComparison.toleranceMetrics.joined(separator: ", ")
        #expect(BaselineComparison.toleranceProblem(forMetric: "latency.bogus.p99_ns")
            == "latency.bogus.p99_ns is not a metric compare judges with a tolerance; \(list)")
        #expect(BaselineComparison.toleranceProblem(forMetric: "latency.fetch.p99ns")
            == "latency.fetch.p99ns is not a metric compare judges with a tolerance; did you mean latency.fetch.p99_ns? (\(list))")
        #expect(BaselineComparison.toleranceProblem(forMetric: "latency.close.p99_ns")
            == "latency.close.p99_ns is a report field, but compare does not compare it; \(list)")
        #expect(BaselineComparison.toleranceProblem(forMetric: "answers.wrong")
            == "answers.wrong is compared exactly (a count that must not grow), never with a tolerance; \(list)")
    }

    @Test func aToleranceMustBeFiniteAndNotNegative() {
        #expect(BaselineComparison.toleranceValueProblem(2.0) == nil)
        #expect(BaselineComparison.toleranceValueProblem(0) == nil)
        for bad in [Double.infinity, .nan, -0.5] {
            #expect(BaselineComparison.toleranceValueProblem(bad)?.hasPrefix("must be a finite number >= 0") == true, "\(bad)")
        }
    }
}
