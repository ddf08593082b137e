import Simulation
import Testing

@Test func sameSeedGivesSameSequence() {
    var first = SeededRandom(seed: 42)
    var second = SeededRandom(seed: 42)
    let a = (0..<100).map { _ in first.next() }
    let b = (0..<100).map { _ in second.next() }
    #expect(a == b)
}

@Test func differentSeedsGiveDifferentSequences() {
    var first = SeededRandom(seed: 1)
    var second = SeededRandom(seed: 2)
    #expect((0..<8).map { _ in first.next() } != (0..<8).map { _ in second.next() })
}

@Test func boundedDrawsStayBelowTheBoundAndReachEveryValue() {
    var random = SeededRandom(seed: 7)
    var seen = Set<UInt64>()
    for _ in 0..<1_000 {
        let value = random.next(below: 5)
        #expect(value < 5)
        seen.insert(value)
    }
    #expect(seen == [0, 1, 2, 3, 4])
}
