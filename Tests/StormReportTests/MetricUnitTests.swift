import StormReport
import Testing

@Suite struct MetricUnitTests {
    @Test func aValueIsShownInTheUnitWithoutNeedlessDigits() throws {
        let milliseconds = try #require(MetricUnit.named("ms"))
        #expect(milliseconds.format(7_200_000) == "7.2ms")
        #expect(milliseconds.format(5_000_000) == "5ms")
        #expect(milliseconds.format(1_234) == "0.00123ms")
        #expect(milliseconds.format(13_459_455) == "13.5ms")
        #expect(try #require(MetricUnit.named("KiB")).format(786_432) == "768KiB")
        #expect(try #require(MetricUnit.named("s")).format(1_500_000_000) == "1.5s")
    }

    @Test func numbersKeepThreeSignificantDigitsOfAFractionAndTheirSign() {
        #expect(MetricUnit.number(7) == "7")
        #expect(MetricUnit.number(-1.5) == "-1.5")
        #expect(MetricUnit.number(13.459455) == "13.5")
        #expect(MetricUnit.number(1234.5678) == "1235")
        #expect(MetricUnit.number(2.0 / 3.0) == "0.667")
        #expect(MetricUnit.number(0.000_012_34) == "0.0000123")
        #expect(MetricUnit.number(5.000_4, significant: 5) == "5.0004")
    }

    @Test func unitsAreCaseSensitiveSoMinutesAreNotMegabytes() {
        #expect(MetricUnit.named("m")?.kind == .duration)
        #expect(MetricUnit.named("MB")?.kind == .bytes)
        #expect(MetricUnit.named("mb") == nil)
    }
}

extension MetricUnitTests {
    @Test func aPercentageIsReadAndShownExactly() throws {
        let percent = try #require(MetricUnit.named("%"))
        #expect(percent.baseValue(of: 95) == 0.95)
        #expect(percent.format(0.25) == "25%")
    }
}
