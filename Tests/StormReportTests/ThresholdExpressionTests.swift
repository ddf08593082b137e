import StormReport
import Testing

@Suite struct ThresholdExpressionTests {
    static func summary(redundant: Int = 0, minimum: Int = 1, wrong: Int = 0) -> RunSummary {
        RunSummary(
            scenario: ScenarioInfo(name: "s", file: nil, mode: "realtime", policy: "recommended", seed: 1),
            environment: EnvironmentInfo(toolchain: "t", cores: 2, allocator: "jemalloc", startedAt: "now"),
            durationNanoseconds: 5,
            connections: ConnectionCounts(opened: 3),
            fetches: FetchCounts(total: minimum + redundant, minimum: minimum),
            answers: AnswerCounts(total: 10, wrong: wrong),
            latency: ["isEnabled": LatencyEntry(count: 10, p50Nanoseconds: 10, p90Nanoseconds: 20, p99Nanoseconds: 900_000,
                                                p999Nanoseconds: 1, maxNanoseconds: 2, meanNanoseconds: 3, histogram: "")],
            contention: [:], lifecycle: LifecycleCounts(), leaks: LeakFigures(allocatedBytesGrowth: 1000),
            invariants: [InvariantResult(name: "oneLiveClientPerHost", violations: 2)],
            thresholds: [], verdict: .pass)
    }

    @Test func equalityHoldsOnTheObservedValue() throws {
        let result = try ThresholdExpression("fetches.redundant == 0").evaluate(on: Self.summary())
        #expect(result.ok)
        #expect(result.value == 0)
    }

    @Test func aFailedThresholdNamesTheObservedValue() throws {
        let result = try ThresholdExpression("answers.wrong == 0").evaluate(on: Self.summary(wrong: 7))
        #expect(!result.ok)
        #expect(result.value == 7)
        #expect(result.message == "observed 7, needed == 0")
    }

    @Test func snakeCaseLatencyKeysAndUnderscoredNumbersWork() throws {
        let result = try ThresholdExpression("latency.isEnabled.p99_ns < 1_000_000").evaluate(on: Self.summary())
        #expect(result.ok)
        #expect(result.value == 900_000)
    }

    @Test func theRightSideMayBeAnotherField() throws {
        #expect(try ThresholdExpression("fetches.redundant <= fetches.minimum").evaluate(on: Self.summary(redundant: 1, minimum: 1)).ok)
        #expect(!(try ThresholdExpression("fetches.redundant <= fetches.minimum").evaluate(on: Self.summary(redundant: 2, minimum: 1)).ok))
    }

    @Test func invariantsAreReadByName() throws {
        let result = try ThresholdExpression("invariants.oneLiveClientPerHost == 0").evaluate(on: Self.summary())
        #expect(!result.ok)
        #expect(result.value == 2)
    }

    @Test func everyOperatorCompares() throws {
        let cases: [(String, Bool)] = [
            ("answers.total == 10", true), ("answers.total != 10", false), ("answers.total < 10", false),
            ("answers.total <= 10", true), ("answers.total > 9", true), ("answers.total >= 11", false),
        ]
        for (text, expected) in cases {
            #expect(try ThresholdExpression(text).evaluate(on: Self.summary()).ok == expected, "\(text)")
        }
    }

    @Test func anUnknownFieldIsASyntaxErrorListingItsSectionsFields() {
        #expect(throws: ThresholdSyntaxError("\"fetches.bogus == 0\": no such report field fetches.bogus (fetches.FIELD with FIELD one of total, minimum, redundant, failed, rateLimited, beforeRetryAfter, peakPerHostPerMinute)")) {
            try ThresholdExpression("fetches.bogus == 0")
        }
    }

    @Test func aFieldTheRunDidNotRecordFailsSayingItWasNotMeasured() throws {
        // A known operation whose entry is absent (e.g. the probes were off).
        let result = try ThresholdExpression("latency.fetch.p99_ns < 5ms").evaluate(on: Self.summary())
        #expect(!result.ok)
        #expect(result.value == nil)
        #expect(result.message == "no numeric value for latency.fetch.p99_ns in the report (missing, or null: not measured in this run)")
    }

    @Test func malformedExpressionsAreSyntaxErrors() {
        #expect(throws: ThresholdSyntaxError.self) { try ThresholdExpression("fetches.redundant") }
        #expect(throws: ThresholdSyntaxError.self) { try ThresholdExpression("== 3") }
        #expect(throws: ThresholdSyntaxError.self) { try ThresholdExpression("fetches.total == lots of") }
    }
}

extension ThresholdExpressionTests {
    @Test func aFigureThatWasNotMeasuredFailsItsThresholdAndSaysSo() throws {
        var summary = Self.summary()
        summary.leaks.allocatedBytesGrowth = nil  // e.g. no verified jemalloc
        let result = try ThresholdExpression("leaks.allocatedBytesGrowth < 524288").evaluate(on: summary)
        #expect(!result.ok)
        #expect(result.value == nil)
        #expect(result.message?.contains("null: not measured in this run") == true)
    }
}
