import FlagServer
import StormEngine
import Testing

@Suite struct ScenarioSyntaxTests {
    @Test func durationsReadAsTheCommandLineReadsThemPlusBareZero() {
        #expect(ScenarioSyntax.parseDuration("500ms") == .milliseconds(500))
        #expect(ScenarioSyntax.parseDuration("1.5s") == .milliseconds(1500))
        #expect(ScenarioSyntax.parseDuration("2m") == .seconds(120))
        #expect(ScenarioSyntax.parseDuration("0") == .zero)
        #expect(ScenarioSyntax.parseDuration("5") == nil)
    }

    @Test func durationsMaySumParts() {
        #expect(ScenarioSyntax.parseDuration("6h10m") == .seconds(6 * 3600 + 600))
        #expect(ScenarioSyntax.parseDuration("1m30s") == .seconds(90))
        #expect(ScenarioSyntax.parseDuration("1s500ms") == .milliseconds(1500))
        #expect(ScenarioSyntax.parseDuration("6h10") == nil)
        #expect(ScenarioSyntax.parseDuration("h10m") == nil)
        #expect(ScenarioSyntax.parseDuration("6h10parsecs") == nil)
    }

    @Test func distributionsParseEachShape() throws {
        #expect(try ScenarioSyntax.parseDistribution("5ms") == .fixed(.milliseconds(5)))
        #expect(try ScenarioSyntax.parseDistribution("uniform 1ms..5ms") == .uniform(min: .milliseconds(1), max: .milliseconds(5)))
        #expect(try ScenarioSyntax.parseDistribution("uniform 1ms .. 5ms") == .uniform(min: .milliseconds(1), max: .milliseconds(5)))
        #expect(try ScenarioSyntax.parseDistribution("lognormal median=2ms p99=20ms")
            == .logNormal(median: .milliseconds(2), p99: .milliseconds(20)))
        #expect(try ScenarioSyntax.parseDistribution("bimodal 1ms stall=2s p=0.01")
            == .bimodal(base: .fixed(.milliseconds(1)), stallProbability: 0.01, stall: .seconds(2)))
        #expect(try ScenarioSyntax.parseDistribution("bimodal uniform 1ms..3ms stall=2s p=0.5")
            == .bimodal(base: .uniform(min: .milliseconds(1), max: .milliseconds(3)), stallProbability: 0.5, stall: .seconds(2)))
    }

    @Test func badDistributionsNameTheOffendingToken() {
        #expect(throws: FlagServerCommandLineError.self) { try ScenarioSyntax.parseDistribution("lognormal median=2ms") }
        do throws(FlagServerCommandLineError) {
            _ = try ScenarioSyntax.parseDistribution("bimodal 1ms stall=2s p=3")
            Issue.record("expected an error")
        } catch {
            #expect(error.token == "3")
            #expect(error.message == "bad probability '3' in distribution 'bimodal 1ms stall=2s p=3': expected a number within 0...1")
        }
    }

    @Test func ratesParseCountsPerWindow() throws {
        #expect(try ScenarioSyntax.parseRate("200/s") == ArrivalRate(count: 200, per: .seconds(1)))
        #expect(try ScenarioSyntax.parseRate("30/m") == ArrivalRate(count: 30, per: .seconds(60)))
        #expect(try ScenarioSyntax.parseRate("5/100ms") == ArrivalRate(count: 5, per: .milliseconds(100)))
        #expect(try ScenarioSyntax.parseRate("0/s") == ArrivalRate(count: 0, per: .seconds(1)))
        #expect(try ScenarioSyntax.parseRate("5/100ms").perSecond == 50)
        #expect(throws: FlagServerCommandLineError.self) { try ScenarioSyntax.parseRate("200") }
        #expect(throws: FlagServerCommandLineError.self) { try ScenarioSyntax.parseRate("-1/s") }
    }

    @Test func skewParsesUniformAndZipf() throws {
        #expect(try ScenarioSyntax.parseSkew("uniform") == .uniform)
        #expect(try ScenarioSyntax.parseSkew("zipf 1.1") == .zipf(exponent: 1.1))
        #expect(try ScenarioSyntax.parseSkew("zipf") == .zipf(exponent: 1))
        #expect(throws: FlagServerCommandLineError.self) { try ScenarioSyntax.parseSkew("zipf 0") }
        #expect(throws: FlagServerCommandLineError.self) { try ScenarioSyntax.parseSkew("pareto 2") }
    }
}

@Suite struct ArrivalRateTests {
    @Test func descriptionIsTheFileSpelling() {
        #expect(ArrivalRate(count: 200, per: .seconds(1)).description == "200/s")
        #expect(ArrivalRate(count: 5, per: .milliseconds(100)).description == "5/100ms")
        #expect(ArrivalRate(count: 30, per: .seconds(60)).description == "30/m")
        #expect(ArrivalRate(count: 1, per: .seconds(90)).description == "1/90s")
    }
}
