import FeatureFlags
import FlagServer
import Foundation
@testable import StormEngine
import StormReport
import Testing

/// Intended against achieved opens and checks, and `harnessKeptUp`: the arithmetic per
/// connection shape and executor, the invariant's judgement, and simulated runs (virtual
/// time waits for the harness) that must never trip it.
@Suite struct StormRunnerHarnessTests {
    static let environment = EnvironmentInfo(toolchain: "test", cores: 2, allocator: "test", startedAt: "now")
    static let millisecond: Int64 = 1_000_000

    static func simulate(_ settings: RunSettings) async throws -> RunSummary {
        var settings = settings
        settings.mode = ScenarioMode.simulated.rawValue
        return try await ScenarioRun.simulate(settings, environment: environment).summary
    }

    static func settings(_ load: ScenarioLoad, lifetime: Duration, interval: Duration = .milliseconds(100),
                         policy: FlagCachePolicy = .recommended, latency: Duration = .zero) -> RunSettings {
        var settings = RunSettings(name: "harness", policy: policy,
                                   server: FlagServerConfiguration(latency: .fixed(latency)), load: load)
        settings.lifetime = .fixed(lifetime)
        settings.checkInterval = interval
        return settings
    }

    static func keptUp(_ summary: RunSummary) -> InvariantResult? {
        summary.invariants.first { $0.name == StormRunner.harnessKeptUpName }
    }

    // MARK: - The checks one connection is asked for

    @Test func aConnectionIsAskedForTheIntervalsThatFitInItsLifetime() {
        let ms = Self.millisecond
        // 1 s at 100 ms: checks at 0, 100, …, 900 ms.
        #expect(StormRunner.intendedChecks(made: 10, room: 1_000 * ms, interval: 100 * ms) == 10)
        // 1.05 s: one more at 1,000 ms.
        #expect(StormRunner.intendedChecks(made: 11, room: 1_050 * ms, interval: 100 * ms) == 11)
        // A saturated harness made 3 of the 5,000 checks 5 s at 1 ms ask for.
        #expect(StormRunner.intendedChecks(made: 3, room: 5_000 * ms, interval: ms) == 5_000)
    }

    @Test func timeSpentInsideChecksIsTheSystemsAndAsksForNoChecks() {
        let ms = Self.millisecond
        // W8's shape: 200 ms at 150 ms, the first check waits 100 ms on a cold fetch: one check, not two.
        #expect(StormRunner.intendedChecks(made: 1, room: (200 - 100) * ms, interval: 150 * ms) == 1)
        // A check that outlasts the lifetime leaves no room: the check at open only.
        #expect(StormRunner.intendedChecks(made: 1, room: -30 * ms, interval: 10 * ms) == 1)
    }

    @Test func aConnectionWithNoLifetimeOrNoIntervalIsAskedForOneCheck() {
        #expect(StormRunner.intendedChecks(made: 1, room: 0, interval: 100 * Self.millisecond) == 1)
        #expect(StormRunner.intendedChecks(made: 1, room: 5_000 * Self.millisecond, interval: 0) == 1)
    }

    @Test func aConnectionWokenEarlyIsNeverAskedForFewerChecksThanItMade() {
        // A wake-up up to a tick early fits one more check in than on-time wake-ups would.
        #expect(StormRunner.intendedChecks(made: 6, room: 50 * Self.millisecond, interval: 10 * Self.millisecond) == 6)
    }

    // MARK: - The invariant

    @Test func aShortfallOfChecksViolatesHarnessKeptUpWithTheFigures() {
        let harness = HarnessDelivery(intendedOpens: 2_000, achievedOpens: 2_000, intendedChecks: 10_000_000,
                                      achievedChecks: 2_060_114, requiredFraction: StormRunner.harnessKeptUpFraction)
        let invariant = StormRunner.harnessKeptUp(harness)
        #expect(invariant.name == "harnessKeptUp")
        #expect(invariant.gating)
        #expect(invariant.violations == 7_939_886)
        #expect(invariant.example == "achieved 2,060,114 of 10,000,000 intended checks (20.6 %): the harness could not keep up; the figures describe a saturated harness, not the system")
    }

    @Test func aShortfallOfOpensAloneIsNamedAlone() {
        let harness = HarnessDelivery(intendedOpens: 100, achievedOpens: 90, intendedChecks: 90, achievedChecks: 90,
                                      requiredFraction: StormRunner.harnessKeptUpFraction)
        let invariant = StormRunner.harnessKeptUp(harness)
        #expect(invariant.violations == 10)
        #expect(invariant.example?.hasPrefix("achieved 90 of 100 intended opens (90.0 %): the harness could not keep up") == true)
    }

    @Test func deliveringTheRequiredFractionKeepsUpAndJustUnderDoesNot() {
        let atBound = HarnessDelivery(intendedOpens: 10, achievedOpens: 10, intendedChecks: 10_000, achievedChecks: 9_500,
                                      requiredFraction: StormRunner.harnessKeptUpFraction)
        #expect(StormRunner.harnessKeptUp(atBound).violations == 0)
        #expect(StormRunner.harnessKeptUp(atBound).example == nil)
        let under = HarnessDelivery(intendedOpens: 10, achievedOpens: 10, intendedChecks: 10_000, achievedChecks: 9_499,
                                    requiredFraction: StormRunner.harnessKeptUpFraction)
        #expect(StormRunner.harnessKeptUp(under).violations == 501)
        // Rounded down, so a figure under the bound never reads as on it.
        #expect(StormRunner.harnessKeptUp(under).example?.contains("(94.9 %)") == true)
    }

    @Test func aSummaryThatFellShortFailsUnderSeedTooAndOneThatKeptUpPasses() {
        func summary(achievedChecks: Int) -> RunSummary {
            let harness = HarnessDelivery(intendedOpens: 5, achievedOpens: 5, intendedChecks: 100, achievedChecks: achievedChecks,
                                          requiredFraction: StormRunner.harnessKeptUpFraction)
            var summary = RunSummary(
                scenario: ScenarioInfo(name: "s", file: nil, mode: "realtime", policy: "seed", seed: 1),
                environment: Self.environment, durationNanoseconds: 1, connections: ConnectionCounts(opened: 5),
                fetches: FetchCounts(), answers: AnswerCounts(total: achievedChecks), latency: [:], contention: [:],
                lifecycle: LifecycleCounts(), leaks: LeakFigures(),
                // A seed finding (not gating) beside the harness's judgement.
                invariants: [InvariantResult(name: "answersMatchTruth", violations: 3, gating: false), StormRunner.harnessKeptUp(harness)],
                thresholds: [], verdict: .pass, harness: harness)
            StormRunner.judge(&summary, thresholds: ["invariants.harnessKeptUp == 0"])
            return summary
        }
        let short = summary(achievedChecks: 60)
        #expect(short.verdict == .fail)
        #expect(short.thresholds.first?.value == 40)
        let keptUp = summary(achievedChecks: 99)
        #expect(keptUp.verdict == .pass)
        #expect(keptUp.thresholds.first?.ok == true)
    }

    // MARK: - Each executor, simulated

    @Test func aBurstIsAskedForItsConnectionsAndEachOneTheChecksItsLifetimeHoldsRoomFor() async throws {
        let summary = try await Self.simulate(Self.settings(.burst(connections: 5), lifetime: .milliseconds(1), interval: .microseconds(100)))
        let harness = try #require(summary.harness)
        #expect(harness.intendedOpens == 5 && harness.achievedOpens == 5)
        // Each check takes a 10 µs simulated step, so checks start every 110 µs: at 0, 110, …, 990 µs.
        #expect(harness.intendedChecks == 50)
        #expect(harness.achievedChecks == 50)
        #expect(harness.achievedChecks == summary.answers.total + summary.answers.cancelled)
        #expect(harness.achievedFraction == 1)
        #expect(Self.keptUp(summary)?.violations == 0)
        #expect(summary.verdict == .pass)
    }

    @Test func aConstantArrivalIsAskedForEveryArrivalOfItsSchedule() async throws {
        let load = ScenarioLoad.constantArrival(rate: ArrivalRate(count: 1_000, per: .seconds(1)), duration: .milliseconds(10),
                                                maxConnections: 100)
        let summary = try await Self.simulate(Self.settings(load, lifetime: .zero))
        let harness = try #require(summary.harness)
        #expect(harness.intendedOpens == 10 && harness.achievedOpens == 10)
        #expect(harness.intendedChecks == 10 && harness.achievedChecks == 10)
        #expect(harness.lateOpens == 0)
        #expect(Self.keptUp(summary)?.violations == 0)
    }

    @Test func aRampingArrivalIsAskedForEveryArrivalOfItsStages() async throws {
        let stages = [RampingStage(duration: .milliseconds(20), target: ArrivalRate(count: 1_000, per: .seconds(1)))]
        let load = ScenarioLoad.rampingArrival(startRate: ArrivalRate(count: 0, per: .seconds(1)), stages: stages, maxConnections: 100)
        let summary = try await Self.simulate(Self.settings(load, lifetime: .zero))
        let harness = try #require(summary.harness)
        // From 0 to 1,000/s over 20 ms: (0 + 1,000) / 2 × 0.02 s = 10 arrivals.
        #expect(StormRunner.rampingOffsets(startRate: 0, stages: [(.milliseconds(20), 1_000)]).count == 10)
        #expect(harness.intendedOpens == 10 && harness.achievedOpens == 10)
        #expect(harness.intendedChecks == 10 && harness.achievedChecks == 10)
    }

    @Test func constantConnectionsAreAskedForTheirSlotsAndEveryReplacementACloseAsksFor() async throws {
        let summary = try await Self.simulate(Self.settings(.constantConnections(connections: 2, duration: .milliseconds(1)), lifetime: .zero))
        let harness = try #require(summary.harness)
        // Each cycle takes an open, a check and a close step (30 µs of virtual time): about 33 per slot.
        #expect(summary.connections.opened > 2 * 20)
        #expect(harness.intendedOpens == summary.connections.opened)
        #expect(harness.achievedOpens == summary.connections.opened)
        #expect(harness.intendedChecks == summary.connections.opened && harness.achievedChecks == summary.connections.opened)
        #expect(Self.keptUp(summary)?.violations == 0)
    }

    @Test func aCheckWaitingOnASlowFetchIsNotCountedAsTheHarnessFallingShort() async throws {
        // W8's shape: every first check waits 100 ms for the one cold fetch, so 200 ms at 150 ms leaves room for one.
        let summary = try await Self.simulate(Self.settings(.burst(connections: 10), lifetime: .milliseconds(200),
                                                            interval: .milliseconds(150), latency: .milliseconds(100)))
        let harness = try #require(summary.harness)
        #expect(harness.intendedChecks == 10 && harness.achievedChecks == 10)
        #expect(Self.keptUp(summary)?.violations == 0)
    }

    @Test func arrivalsDroppedAtMaxConnectionsViolateHarnessKeptUpUnderSeedToo() async throws {
        // Arrivals at 0, 1, …, 4 ms; the first lives 10 ms and holds the only slot.
        let load = ScenarioLoad.constantArrival(rate: ArrivalRate(count: 1_000, per: .seconds(1)), duration: .milliseconds(5),
                                                maxConnections: 1)
        let summary = try await Self.simulate(Self.settings(load, lifetime: .milliseconds(10), policy: .seed))
        let harness = try #require(summary.harness)
        #expect(summary.connections.dropped == 4)
        #expect(harness.intendedOpens == 5 && harness.achievedOpens == 1)
        #expect(harness.opensFraction == 0.2)
        #expect(harness.intendedChecks == 1 && harness.achievedChecks == 1)
        let invariant = try #require(Self.keptUp(summary))
        #expect(invariant.gating)
        #expect(invariant.violations == 4)
        #expect(invariant.example?.hasPrefix("achieved 1 of 5 intended opens (20.0 %)") == true)
        #expect(summary.verdict == .fail)
    }

    // MARK: - Simulated scenarios never trip it

    static let huntScenarios = ["planted-race", "w01-cold-herd", "w02-churn", "w04-double-release", "w06-slow-close"]

    @Test(arguments: huntScenarios)
    func aSimulatedScenarioDeliversEveryIntendedOpenAndCheck(_ name: String) async throws {
        let spec = try HuntTests.scenario(name)
        for policy in [FlagCachePolicy.seed, .recommended] {
            let summary = try await Self.simulate(RunSettings(spec: spec, policy: policy))
            let harness = try #require(summary.harness)
            #expect(harness.intendedOpens > 0)
            #expect(harness.achievedOpens == harness.intendedOpens, "\(name) [\(policy)]")
            #expect(harness.achievedChecks == harness.intendedChecks, "\(name) [\(policy)]")
            #expect(Self.keptUp(summary)?.violations == 0, "\(name) [\(policy)]")
        }
    }
}

extension StormRunnerHarnessTests {
    static func shard(_ text: String, intendedChecks: Int, achievedChecks: Int) -> RunSummary {
        let harness = HarnessDelivery(intendedOpens: 10, achievedOpens: 10, intendedChecks: intendedChecks,
                                      achievedChecks: achievedChecks, requiredFraction: StormRunner.harnessKeptUpFraction)
        var summary = RunSummary(
            scenario: ScenarioInfo(name: "s", file: nil, mode: "realtime", policy: "recommended", seed: 1, shard: text),
            environment: environment, durationNanoseconds: 1, connections: ConnectionCounts(opened: 10),
            fetches: FetchCounts(), answers: AnswerCounts(total: achievedChecks), latency: [:], contention: [:],
            lifecycle: LifecycleCounts(), leaks: LeakFigures(), invariants: [StormRunner.harnessKeptUp(harness)],
            thresholds: [], verdict: .pass, harness: harness)
        StormRunner.judge(&summary, thresholds: [])
        return summary
    }

    @Test func mergedShardsSumTheirDeliveryAndAreJudgedAgainOnTheSums() throws {
        let short = Self.shard("1/2", intendedChecks: 100, achievedChecks: 90)
        let whole = Self.shard("2/2", intendedChecks: 1_000, achievedChecks: 1_000)
        #expect(short.verdict == .fail && Self.keptUp(short)?.violations == 10)
        let merged = try ShardMerge.merge([short, whole])
        let harness = try #require(merged.harness)
        #expect(harness.intendedOpens == 20 && harness.achievedOpens == 20)
        #expect(harness.intendedChecks == 1_100 && harness.achievedChecks == 1_090)
        // 99.1 % of the fleet's checks: within the bound, whatever one shard did.
        #expect(Self.keptUp(merged)?.violations == 0)
        #expect(merged.verdict == .pass)

        let bothShort = try ShardMerge.merge([short, Self.shard("2/2", intendedChecks: 100, achievedChecks: 80)])
        #expect(Self.keptUp(bothShort)?.violations == 30)
        #expect(bothShort.verdict == .fail)
    }
}

extension RealtimeEngineSuite {
    /// The harness's delivery on a small realtime run (wall clock, the parking lot's 1 ms wheel).
    @Suite struct StormRunnerHarnessRealtimeTests {
        @Test func aRealtimeRunCountsEveryOpenAndCheckAgainstNoMoreThanItsLifetimesAskFor() async throws {
            // 100 ms at 20 ms: at most checks at 0, 20, …, 80 ms per connection.
            var settings = StormRunnerHarnessTests.settings(.burst(connections: 20), lifetime: .milliseconds(100),
                                                            interval: .milliseconds(20))
            settings.hostCount = 2
            let summary = await StormRunnerTests.run(settings)
            let harness = try #require(summary.harness)
            #expect(harness.intendedOpens == 20 && harness.achievedOpens == 20)
            #expect(harness.achievedChecks == summary.answers.total + summary.answers.cancelled)
            #expect(harness.achievedChecks >= 20 * 2)
            #expect(harness.achievedChecks <= harness.intendedChecks)
            #expect(harness.intendedChecks <= 20 * 5)
            // Judged on exactly these figures. (Whether a realtime run keeps up depends on the machine's
            // load, so this does not assume it did; the simulated tests above show a run that must.)
            let expected = harness.checksShort ? harness.intendedChecks - harness.achievedChecks : 0
            #expect(StormRunnerHarnessTests.keptUp(summary)?.violations == expected)
        }
    }
}

extension StormRunnerHarnessTests {
    @Test func aLateWakeUpDelaysOneCheckNotEveryLaterOne() {
        let ms = UInt64(Self.millisecond), end = 1_000 * ms
        // On time: 5 ms after the check ended.
        #expect(StormRunner.nextDue(after: 100 * ms, interval: 5 * ms, lateness: 0, end: end) == 105 * ms)
        // Started 1 ms late: the next is due on the punctual schedule, 4 ms after this one ended.
        #expect(StormRunner.nextDue(after: 100 * ms, interval: 5 * ms, lateness: Int64(ms), end: end) == 104 * ms)
        // Woken half a tick early: the next waits that much longer.
        #expect(StormRunner.nextDue(after: 100 * ms, interval: 5 * ms, lateness: -Int64(ms / 2), end: end) == 105 * ms + ms / 2)
        // A whole interval or more behind: due at once, the skipped checks not made up.
        #expect(StormRunner.nextDue(after: 100 * ms, interval: 5 * ms, lateness: 12 * Int64(ms), end: end) == 100 * ms)
    }

    @Test func theNextCheckIsTheCloseAtTheEndOfTheLifetimeOrWithNoInterval() {
        let ms = UInt64(Self.millisecond)
        #expect(StormRunner.nextDue(after: 998 * ms, interval: 5 * ms, lateness: 0, end: 1_000 * ms) == 1_000 * ms)
        #expect(StormRunner.nextDue(after: 995 * ms, interval: 5 * ms, lateness: 0, end: 1_000 * ms) == 1_000 * ms)
        #expect(StormRunner.nextDue(after: 100 * ms, interval: 0, lateness: 0, end: 1_000 * ms) == 1_000 * ms)
    }
}
