import FeatureFlags
import StormEngine
import Testing

@Suite struct WeaknessDemonstrationTests {
    @Test(arguments: WeaknessDemonstration.builtIn.filter(\.virtualTime).map(\.id))
    func seedShowsTheWeaknessAndRecommendedDoesNot(id: String) async throws {
        let demo = try #require(WeaknessDemonstration.builtIn.first { $0.id == id })
        let seed = try await demo.run(.seed)
        let recommended = try await demo.run(.recommended)
        #expect(seed.weaknessShown, "\(id) seed: \(seed.figures)")
        #expect(!recommended.weaknessShown, "\(id) recommended: \(recommended.figures)")
    }

    @Test func virtualTimeDemonstrationsReproduceTheGoFigures() async throws {
        let figures = try await WeaknessDemonstration.builtIn.filter(\.virtualTime)
            .asyncMap { "\($0.id): \(try await $0.run(.seed).figures)" }
        #expect(figures.contains("W2: 200 fetch(es) (minimum 1)"))
        #expect(figures.contains("W3: 3 fetch(es), 1 client(s)"))
        #expect(figures.contains { $0.hasPrefix("W4: B's check: false, events on a closed client: 1") })
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
