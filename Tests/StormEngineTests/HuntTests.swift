import FeatureFlags
import Foundation
import Simulation
@testable import StormEngine
import StormReport
import Testing

/// `flagstorm hunt` on the scenarios in `Scenarios/hunt/`: seeded simulation finds each weakness of
/// `seed` and the planted race, a failing seed replays the identical trace, and `recommended` holds.
@Suite struct HuntTests {
    static let environment = EnvironmentInfo(toolchain: "test", cores: 2, allocator: "test", startedAt: "now")

    static func scenario(_ name: String) throws -> ScenarioSpec {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try ScenarioSpec.load(contentsOf: root.appendingPathComponent("Scenarios/hunt/\(name).yaml").path)
    }

    /// The first failing seed in `seeds`, if any.
    static func firstFailure(_ name: String, policy: FlagCachePolicy, seeds: ClosedRange<UInt64>,
                             strategy: SchedulingStrategy = .random, plantedRace: Bool = false) async throws -> Hunt.Outcome? {
        let spec = try scenario(name)
        var settings = RunSettings(spec: spec, policy: policy)
        settings.plantedRace = plantedRace
        for seed in seeds {
            let outcome = try await Hunt.run(settings, seed: seed, strategy: strategy, correctness: spec.thresholds.recommended,
                                             environment: environment)
            if !outcome.violations.isEmpty { return outcome }
        }
        return nil
    }

    /// Runs `outcome`'s seed `times` more and returns the distinct trace digests seen (one means exact replay).
    static func replayDigests(_ name: String, _ outcome: Hunt.Outcome, policy: FlagCachePolicy, times: Int,
                              strategy: SchedulingStrategy = .random, plantedRace: Bool = false) async throws -> Set<UInt64> {
        let spec = try scenario(name)
        var settings = RunSettings(spec: spec, policy: policy)
        settings.plantedRace = plantedRace
        var digests: Set<UInt64> = [try #require(outcome.trace).digest]
        for _ in 0..<times {
            let again = try await Hunt.run(settings, seed: outcome.seed, strategy: strategy,
                                           correctness: spec.thresholds.recommended, environment: environment)
            digests.insert(try #require(again.trace).digest)
            #expect(again.violations == outcome.violations)
        }
        return digests
    }

    @Test(arguments: [
        ("w01-cold-herd", "invariant answersMatchTruth"),
        ("w02-churn", "threshold fetches.redundant == 0"),
        ("w04-double-release", "invariant noClientClosedWhileInUse"),
        ("w06-slow-close", "invariant oneLiveClientPerHost"),
    ])
    func huntOverSeedFindsTheWeaknessAndItsSeedReplaysTheSameTraceTenTimes(name: String, property: String) async throws {
        let outcome = try #require(try await Self.firstFailure(name, policy: .seed, seeds: 1...20))
        #expect(outcome.violations.contains { $0.property == property })
        let trace = try #require(outcome.trace)
        #expect(!Hunt.excerpt(of: trace).isEmpty)
        #expect(try await Self.replayDigests(name, outcome, policy: .seed, times: 10).count == 1)
    }

    @Test(arguments: ["w01-cold-herd", "w02-churn", "w04-double-release", "w06-slow-close", "planted-race"])
    func huntOverRecommendedFindsNothing(name: String) async throws {
        let found = try await Self.firstFailure(name, policy: .recommended, seeds: 1...15)
        #expect(found == nil, "seed \(found?.seed ?? 0): \(found?.violations.map(\.property) ?? [])")
    }

    @Test(arguments: [SchedulingStrategy.random, .pct(depth: 3)])
    func aPlantedCheckThenActRaceIsFoundAndReplayedBySeed(strategy: SchedulingStrategy) async throws {
        let outcome = try #require(try await Self.firstFailure("planted-race", policy: .recommended, seeds: 1...50,
                                                               strategy: strategy, plantedRace: true))
        #expect(outcome.violations.contains { $0.property == "invariant noClientClosedWhileInUse" })
        let excerpt = Hunt.excerpt(of: try #require(outcome.trace)).joined(separator: "\n")
        #expect(excerpt.contains("closes while 1 connection(s) still hold it"))
        #expect(try await Self.replayDigests("planted-race", outcome, policy: .recommended, times: 10, strategy: strategy,
                                             plantedRace: true).count == 1)
    }

    /// Recommended resumes a flight's waiters and closes clients at shutdown in a fixed order (not a
    /// dictionary's), so its runs replay too: twenty waiters on one fetch, and twenty connections churning.
    @Test(arguments: ["w01-cold-herd", "w04-double-release"])
    func recommendedRunsReplayTheSameTraceTenTimes(name: String) async throws {
        let spec = try Self.scenario(name)
        let settings = RunSettings(spec: spec, policy: .recommended)
        let first = try await Hunt.run(settings, seed: 7, strategy: .random, correctness: [], environment: Self.environment)
        #expect(try await Self.replayDigests(name, first, policy: .recommended, times: 10).count == 1)
    }

    @Test func differentSeedsGiveDifferentInterleavings() async throws {
        let spec = try Self.scenario("w04-double-release")
        let settings = RunSettings(spec: spec, policy: .recommended)
        var digests: Set<UInt64> = []
        for seed in UInt64(1)...5 {
            let outcome = try await Hunt.run(settings, seed: seed, strategy: .random, correctness: [], environment: Self.environment)
            digests.insert(try #require(outcome.trace).digest)
        }
        #expect(digests.count == 5)
    }
}
