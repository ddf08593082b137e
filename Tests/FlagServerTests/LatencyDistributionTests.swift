import FeatureFlags
import FlagServer
import Testing

@Suite struct LatencyDistributionTests {
    private func samples(_ shape: LatencyDistribution, count: Int = 2_000, seed: UInt64 = 42) -> [Duration] {
        var generator = SeededRandomGenerator(seed: seed)
        return (0..<count).map { _ in shape.sample(using: &generator) }
    }

    @Test func fixedLatencyIsAlwaysTheSame() {
        #expect(Set(samples(.fixed(.milliseconds(7)), count: 100)) == [.milliseconds(7)])
    }

    @Test func uniformLatencyStaysWithinItsBoundsAndCentresOnTheMidpoint() {
        let drawn = samples(.uniform(min: .milliseconds(10), max: .milliseconds(30)))
        #expect(drawn.allSatisfy { $0 >= .milliseconds(10) && $0 <= .milliseconds(30) })
        let mean = drawn.reduce(Duration.zero, +) / drawn.count
        #expect(mean > .milliseconds(19) && mean < .milliseconds(21))
        // Spread over the range, not bunched: both ends are reached closely.
        #expect(drawn.min()! < .milliseconds(10) + .microseconds(200))
        #expect(drawn.max()! > .milliseconds(30) - .microseconds(200))
    }

    @Test func logNormalLatencyMatchesItsMedianAndP99() {
        let median = Duration.milliseconds(50)
        let p99 = Duration.milliseconds(400)
        let sorted = samples(.logNormal(median: median, p99: p99)).sorted()
        let observedMedian = sorted[sorted.count / 2]
        let observedP99 = sorted[sorted.count * 99 / 100]
        #expect(observedMedian > median * 0.9 && observedMedian < median * 1.1, "median \(observedMedian)")
        #expect(observedP99 > p99 * 0.8 && observedP99 < p99 * 1.2, "p99 \(observedP99)")
    }

    @Test func bimodalLatencyStallsWithItsProbability() {
        let shape = LatencyDistribution.bimodal(base: .uniform(min: .milliseconds(5), max: .milliseconds(15)),
                                                stallProbability: 0.1, stall: .seconds(2))
        let drawn = samples(shape)
        let stalled = drawn.filter { $0 >= .seconds(2) }
        let fraction = Double(stalled.count) / Double(drawn.count)
        #expect(abs(fraction - 0.1) < 0.02, "stall fraction \(fraction)")
        // Each mode keeps its base shape.
        #expect(drawn.allSatisfy { ($0 >= .milliseconds(5) && $0 <= .milliseconds(15))
            || ($0 >= .seconds(2) + .milliseconds(5) && $0 <= .seconds(2) + .milliseconds(15)) })
    }

    @Test func sameSeedDrawsTheSameLatencies() {
        let shape = LatencyDistribution.logNormal(median: .milliseconds(20), p99: .milliseconds(200))
        #expect(samples(shape, count: 100, seed: 9) == samples(shape, count: 100, seed: 9))
        #expect(samples(shape, count: 100, seed: 9) != samples(shape, count: 100, seed: 10))
    }

    @Test func modelServesTheHostsOwnLatencyOrTheServers() {
        let model = makeModel(FlagServerConfiguration(
            hosts: ["slow.example": FlagHostProfile(latency: .fixed(.seconds(3)))],
            latency: .fixed(.milliseconds(20))))
        #expect(model.handle(host: "slow.example", at: at(.zero)).latency == .seconds(3))
        #expect(model.handle(host: "other.example", at: at(.zero)).latency == .milliseconds(20))
        #expect(model.journal().map(\.latency) == [.seconds(3), .milliseconds(20)])
    }
}
