import Foundation
import StormReport
import Testing

/// The `harness` block: its fractions, its JSON keys (part of the public contract), and reports without it.
@Suite struct HarnessDeliveryTests {
    @Test func fractionsAreAchievedOverIntendedAndTheSmallerIsTheAchievedFraction() {
        let harness = HarnessDelivery(intendedOpens: 200, achievedOpens: 190, lateOpens: 3, intendedChecks: 10_000_000,
                                      achievedChecks: 2_060_114, requiredFraction: 0.95)
        #expect(harness.opensFraction == 0.95)
        #expect(harness.checksFraction == 0.2060114)
        #expect(harness.achievedFraction == 0.2060114)
        #expect(!harness.opensShort)
        #expect(harness.checksShort)
    }

    @Test func nothingIntendedIsNothingMissed() {
        let harness = HarnessDelivery(intendedOpens: 0, achievedOpens: 0, intendedChecks: 0, achievedChecks: 0, requiredFraction: 0.95)
        #expect(harness.opensFraction == 1 && harness.checksFraction == 1 && harness.achievedFraction == 1)
        #expect(!harness.opensShort && !harness.checksShort)
    }

    @Test func theBlocksKeysAreCamelCaseAndPinned() throws {
        var summary = ThresholdExpressionTests.summary()
        summary.harness = HarnessDelivery(intendedOpens: 3, achievedOpens: 3, intendedChecks: 12, achievedChecks: 10, requiredFraction: 0.95)
        let object = try RunSummaryJSONTests.object(summary)
        let harness = try #require(object["harness"] as? [String: Any])
        #expect(Set(harness.keys) == ["intendedOpens", "achievedOpens", "lateOpens", "intendedChecks", "achievedChecks",
                                      "opensFraction", "checksFraction", "achievedFraction", "requiredFraction"])
        // Thresholds read it like any other field.
        let result = try ThresholdExpression("harness.achievedChecks >= harness.intendedChecks").evaluate(on: summary)
        #expect(!result.ok && result.value == 10)
        // The fractions are ratios: a bound may be a percentage.
        let fraction = try ThresholdExpression("harness.checksFraction >= 80%").evaluate(on: summary)
        #expect(fraction.ok && fraction.value == 10.0 / 12.0)
        #expect(throws: ThresholdSyntaxError.self) { try ThresholdExpression("harness.checksFraction >= 5ms") }
    }

    @Test func aReportWithoutTheBlockDecodesWithoutOneAndIsWrittenWithoutOne() throws {
        let summary = ThresholdExpressionTests.summary()
        let object = try RunSummaryJSONTests.object(summary)
        #expect(object["harness"] == nil)
        let decoded = try JSONDecoder().decode(RunSummary.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(decoded.harness == nil)
        #expect(decoded == summary)
    }
}
