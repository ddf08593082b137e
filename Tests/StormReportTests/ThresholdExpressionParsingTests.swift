import StormReport
import Testing

/// The message `text` is rejected with, or `nil` when it parses.
private func rejection(_ text: String, vocabulary: MetricVocabulary = .run) -> String? {
    do throws(ThresholdSyntaxError) {
        _ = try ThresholdExpression(text, vocabulary: vocabulary)
        return nil
    } catch {
        return error.message
    }
}

/// The bound `text` parses to, in the metric's own unit.
private func bound(_ text: String, vocabulary: MetricVocabulary = .run) throws -> Double? {
    if case .number(let value, _) = try ThresholdExpression(text, vocabulary: vocabulary).bound { return value }
    return nil
}

/// Expressions are checked against the report's vocabulary when they are read, and bounds may carry units.
@Suite struct ThresholdExpressionParsingTests {
    @Test func aMistypedFieldSuggestsTheNearestKnownOne() {
        #expect(rejection("answers.wrng == 0") == "\"answers.wrng == 0\": no such report field answers.wrng; did you mean answers.wrong?")
        #expect(rejection("latency.isEnabeld.p99_ns < 5ms")
            == "\"latency.isEnabeld.p99_ns < 5ms\": no such report field latency.isEnabeld.p99_ns; did you mean latency.isEnabled.p99_ns?")
        #expect(rejection("invariants.oneLiveClientPerHosts == 0")?.hasSuffix("did you mean invariants.oneLiveClientPerHost?") == true)
    }

    @Test func anUnknownOperationListsTheOperationsTheEngineRecords() {
        #expect(rejection("latency.bogus.p99_ns < 5ms")
            == "\"latency.bogus.p99_ns < 5ms\": no such report field latency.bogus.p99_ns (latency.OPERATION.FIELD with OPERATION one of open, isEnabled, close, clientAcquire, fetch and FIELD one of count, p50_ns, p90_ns, p99_ns, p999_ns, max_ns, mean_ns)")
    }

    @Test func anUnknownSectionListsTheSections() {
        #expect(rejection("bogus.thing == 0")
            == "\"bogus.thing == 0\": no such report field bogus.thing (report fields start with duration_ns, connections, fetches, answers, latency, contention, lifecycle, leaks, harness, invariants)")
    }

    @Test func lockNamesWithDotsAreOneComponent() throws {
        let expression = try ThresholdExpression("contention.flagCache.registry.wait_p99_ns < 1ms")
        #expect(expression.metric.components == ["contention", "flagCache.registry", "wait_p99_ns"])
        #expect(expression.metric.kind == .duration)
        var summary = ThresholdExpressionTests.summary()
        summary.contention["flagCache.registry"] = LockContention(acquisitions: 9, contended: 2, waitP50Nanoseconds: 1,
                                                                 waitP99Nanoseconds: 2_500_000, waitMaxNanoseconds: 3, holdP99Nanoseconds: 4)
        let result = expression.evaluate(on: summary)
        #expect(!result.ok)
        #expect(result.message == "observed 2.5ms, needed < 1ms")
    }

    @Test func aBadOperatorNamesTheOperatorsAndWhatWasMeant() {
        #expect(rejection("fetches.total = 1") == "\"fetches.total = 1\": unknown operator =; did you mean ==? (operators: == != < <= > >=)")
        #expect(rejection("fetches.total => 1") == "\"fetches.total => 1\": unknown operator =>; did you mean >=? (operators: == != < <= > >=)")
        #expect(rejection("fetches.total <<< 1") == "\"fetches.total <<< 1\": unknown operator <<< (operators: == != < <= > >=)")
        #expect(rejection("= 1") == "\"= 1\": the report field on the left is missing: expected METRIC OP VALUE such as fetches.redundant == 0, with OP one of == != < <= > >=")
        #expect(rejection("fetches.total 1") == "\"fetches.total 1\": expected METRIC OP VALUE such as fetches.redundant == 0, with OP one of == != < <= > >=")
        #expect(rejection("fetches.total ==") == "\"fetches.total ==\": nothing after ==: write a plain number, without a unit, or another report field")
    }

    @Test func durationUnitsAreReadAsNanoseconds() throws {
        #expect(try bound("latency.isEnabled.p99_ns < 5ms") == 5_000_000)
        #expect(try bound("latency.isEnabled.p99_ns < 1.5s") == 1_500_000_000)
        #expect(try bound("latency.isEnabled.p99_ns < 250us") == 250_000)
        #expect(try bound("latency.isEnabled.p99_ns < 250µs") == 250_000)
        #expect(try bound("latency.isEnabled.p99_ns < 100ns") == 100)
        #expect(try bound("latency.isEnabled.p99_ns < 2m") == 120_000_000_000)
        #expect(try bound("duration_ns < 5 s") == 5_000_000_000)
    }

    @Test func byteUnitsAreDecimalOrBinary() throws {
        #expect(try bound("leaks.allocatedBytesGrowth < 512KiB") == 524_288)
        #expect(try bound("leaks.allocatedBytesGrowth < 1MiB") == 1_048_576)
        #expect(try bound("leaks.allocatedBytesGrowth < 4GB") == 4_000_000_000)
        #expect(try bound("connections.bytesPerConnection <= 100B") == 100)
    }

    @Test func aPlainNumberIsInTheFieldsOwnUnit() throws {
        let expression = try ThresholdExpression("latency.isEnabled.p99_ns < 1_000_000")
        #expect(expression.bound == .number(1_000_000, unit: nil))
        #expect(try bound("leaks.allocatedBytesGrowth < 524288") == 524_288)
        #expect(try bound("leaks.fdGrowth <= -1") == -1)
    }

    @Test func aUnitOfTheWrongKindIsRejected() {
        #expect(rejection("latency.isEnabled.p99_ns < 5MiB")
            == "\"latency.isEnabled.p99_ns < 5MiB\": 5MiB is a size in bytes, but latency.isEnabled.p99_ns is a duration: write a duration such as 5ms, 250us, 1.5s (units ns us µs μs ms s m h) or plain nanoseconds")
        #expect(rejection("leaks.allocatedBytesGrowth < 5ms")
            == "\"leaks.allocatedBytesGrowth < 5ms\": 5ms is a duration, but leaks.allocatedBytesGrowth is a size in bytes: write a size such as 512KiB, 1MiB, 4GB (units B kB KB MB GB TB KiB MiB GiB TiB) or plain bytes")
        #expect(rejection("answers.wrong == 0ms") == "\"answers.wrong == 0ms\": answers.wrong is a count: write a plain number, without a unit (got 0ms)")
        #expect(rejection("fetches.total < 5k") == "\"fetches.total < 5k\": fetches.total is a count: write a plain number, without a unit (got 5k)")
    }

    @Test func anUnknownUnitSaysWhatTheFieldTakes() {
        #expect(rejection("latency.isEnabled.p99_ns < 5mss")?.hasPrefix("\"latency.isEnabled.p99_ns < 5mss\": unknown unit \"mss\" in 5mss; latency.isEnabled.p99_ns is a duration: write a duration such as") == true)
        #expect(rejection("latency.isEnabled.p99_ns < 5MS")?.contains("unknown unit \"MS\" in 5MS; did you mean 5ms?") == true)
    }

    @Test func theRightSideMayBeAnotherFieldOfTheSameKindOnly() throws {
        #expect(rejection("latency.isEnabled.p99_ns < latency.fetch.p50_ns") == nil)
        #expect(rejection("latency.isEnabled.p99_ns < fetches.total")
            == "\"latency.isEnabled.p99_ns < fetches.total\": compares latency.isEnabled.p99_ns (a duration) with fetches.total (a count); both sides must be of one kind")
        #expect(rejection("fetches.redundant <= fetches.minmum")
            == "\"fetches.redundant <= fetches.minmum\": no such report field fetches.minmum; did you mean fetches.minimum?")
        #expect(rejection("fetches.total == lots of")
            == "\"fetches.total == lots of\": the right side \"lots of\" is neither a number (with an optional unit) nor a report field")
    }

    @Test func aFailedDurationThresholdSpeaksInTheUnitWrittenButStoresNanoseconds() throws {
        var summary = ThresholdExpressionTests.summary()
        summary.latency["isEnabled"]?.p99Nanoseconds = 7_200_000
        let result = try ThresholdExpression("latency.isEnabled.p99_ns < 5ms").evaluate(on: summary)
        #expect(!result.ok)
        #expect(result.value == 7_200_000)
        #expect(result.message == "observed 7.2ms, needed < 5ms")
        #expect(result.observedText == "7.2ms")
        let plain = try ThresholdExpression("latency.isEnabled.p99_ns < 5000000").evaluate(on: summary)
        #expect(plain.message == "observed 7200000, needed < 5000000")
        #expect(plain.observedText == "7200000")
    }

    @Test func anObservedValueJustOverItsBoundIsNeverShownAsTheBound() throws {
        var summary = ThresholdExpressionTests.summary()
        summary.latency["isEnabled"]?.p99Nanoseconds = 5_000_400
        let result = try ThresholdExpression("latency.isEnabled.p99_ns < 5ms").evaluate(on: summary)
        #expect(result.message == "observed 5.0004ms, needed < 5ms")
        let precise = try ThresholdExpression("latency.isEnabled.p99_ns < 1.2345ms").evaluate(on: summary)
        #expect(precise.message == "observed 5ms, needed < 1.2345ms")
    }

    @Test func aFailedByteThresholdSpeaksInTheUnitWritten() throws {
        var summary = ThresholdExpressionTests.summary()
        summary.leaks.allocatedBytesGrowth = 786_432
        let result = try ThresholdExpression("leaks.allocatedBytesGrowth < 512KiB").evaluate(on: summary)
        #expect(result.message == "observed 768KiB, needed < 512KiB")
        #expect(result.value == 786_432)
    }

    @Test func aFieldOnTheRightIsNamedInTheMessage() throws {
        let result = try ThresholdExpression("fetches.redundant <= fetches.minimum").evaluate(on: ThresholdExpressionTests.summary(redundant: 2, minimum: 1))
        #expect(result.message == "observed 2, needed <= 1 (fetches.minimum)")
    }

    @Test func aRatioTakesAFractionOrAPercentage() throws {
        let vocabulary = MetricVocabulary(families: [.fields(section: "cache", [.init("hitRatio", .ratio)])])
        #expect(try bound("cache.hitRatio >= 95%", vocabulary: vocabulary) == 0.95)
        #expect(try bound("cache.hitRatio >= 0.95", vocabulary: vocabulary) == 0.95)
        #expect(rejection("cache.hitRatio >= 5ms", vocabulary: vocabulary)
            == "\"cache.hitRatio >= 5ms\": 5ms is a duration, but cache.hitRatio is a ratio: write a fraction such as 0.25 or a percentage such as 25%")
        #expect(rejection("fetches.total == 0", vocabulary: vocabulary) != nil)
    }
}
