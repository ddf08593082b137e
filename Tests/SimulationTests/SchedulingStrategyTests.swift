import Simulation
import Testing

@Test func strategiesParseByName() {
    #expect(SchedulingStrategy(name: "random") == .random)
    #expect(SchedulingStrategy(name: "pct") == .pct(depth: 3, expectedSteps: 1_000))
    #expect(SchedulingStrategy(name: "pct:2") == .pct(depth: 2, expectedSteps: 1_000))
    #expect(SchedulingStrategy(name: "pct:2:50") == .pct(depth: 2, expectedSteps: 50))
    #expect(SchedulingStrategy(name: "fifo") == nil)
    #expect(SchedulingStrategy(name: "pct:0") == nil)
    #expect(SchedulingStrategy(name: "random:1") == nil)
}

@Test func strategyNamesRoundTrip() {
    for strategy in [SchedulingStrategy.random, .pct(depth: 4, expectedSteps: 77)] {
        #expect(SchedulingStrategy(name: strategy.description) == strategy)
    }
}
