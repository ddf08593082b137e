import FeatureFlags
import FlagServer
@testable import StormEngine
import StormReport
import Testing

/// `flagstorm plan`'s simulation on small fleets whose load can be worked out by hand, and its
/// closed forms against the simulation on plans where they hold.
@Suite struct FleetSimulationTests {
    /// One host, one process, a connection every `every` living `lifetime`, TTL `ttl`, for `duration`.
    static func evenPlan(every: Duration = .seconds(10), lifetime: Duration = .seconds(1), ttl: Duration = .seconds(60),
                         duration: Duration = .seconds(600), processes: Int = 1, latency: Duration = .zero) -> PlanSpec {
        var plan = PlanSpec(name: "even", description: "hand-checked", seed: 3, duration: duration, processes: processes,
                            arrivals: PlanArrivals(ratePerSecond: 1 / every.planSeconds, process: .uniform),
                            lifetime: .fixed(lifetime))
        plan.cache.ttl = ttl
        plan.server.defaultHost.ttlSeconds = Int(ttl.planSeconds)
        plan.server.latency = .fixed(latency)
        return plan
    }

    @Test func seedFetchesForEveryConnectionThatFindsItsHostIdle() async throws {
        // Connections 10 s apart living 1 s never overlap: under seed each finds the value dropped
        // by the last release and fetches (W2), 60 in 600 s; recommended fetches at the first check
        // 54 s (90 % of the TTL) after each answer, which is every sixth connection: 10.
        let plan = Self.evenPlan()
        let seed = try await FleetSimulation.run(plan, policy: .seed)
        let recommended = try await FleetSimulation.run(plan, policy: .recommended)
        #expect(seed.connections == 60)
        #expect(seed.requests.total == 60)
        #expect(recommended.requests.total == 10)
        #expect(abs(seed.perHost.meanPerSecond - 0.1) < 1e-9)
        #expect(abs(recommended.global.meanPerSecond - 10.0 / 600) < 1e-9)
        // A minute's window holds six connections, so six requests under seed and one under recommended.
        #expect(seed.perHost.peakRequests == 6)
        #expect(recommended.perHost.peakRequests == 1)
        #expect(seed.answers.total == 60 && seed.answers.wrong == 0 && seed.answers.stale == 0)
        #expect(recommended.answers.wrong == 0 && recommended.answers.stale == 0)
    }

    @Test func deployRestartsEveryProcessAndItsLiveConnectionsRefetchAtOnce() async throws {
        // Four processes, each opening a connection every 100 s that outlives the run, TTL longer
        // than the run: one fetch per process, then the deploy at 300 s restarts all four with
        // empty caches and their three live connections each reconnect at once: four more requests
        // in that instant. Under seed two of each process's three reconnect checks arrive while
        // its fetch is in flight and get false (W1): 8 wrong answers.
        var plan = Self.evenPlan(every: .seconds(100), lifetime: .seconds(1_000), ttl: .seconds(1_000),
                                 processes: 4, latency: .milliseconds(20))
        plan.deploys = [PlanDeploy(at: .seconds(300))]
        let seed = try await FleetSimulation.run(plan, policy: .seed)
        let recommended = try await FleetSimulation.run(plan, policy: .recommended)
        #expect(seed.connections == 4 * 6 + 4 * 3)
        #expect(seed.requests.total == 8)
        #expect(recommended.requests.total == 8)
        #expect(seed.perHost.peakRequests == 4)
        #expect(recommended.global.peakRequests == 4)
        #expect(seed.answers.wrong == 8)
        #expect(recommended.answers.wrong == 0)
    }

    @Test func perHostLimitRefusesWhatTheBucketCannotRefill() async throws {
        // Seed refetches for each isolated connection every 5 s; a bucket of one request per 10 s
        // admits exactly every other one: 120 requests, 60 answered 429; every 10 s window holds
        // two requests against a limit of one (headroom −100 %), and each refused check is a bad
        // answer while throttled.
        var plan = Self.evenPlan(every: .seconds(5))
        plan.server.rateLimits.perHost = FlagServerRateLimit(requests: 1, per: .seconds(10), burst: 1)
        let outcome = try await FleetSimulation.run(plan, policy: .seed)
        #expect(outcome.requests.total == 120)
        #expect(outcome.requests.rateLimited == 60)
        #expect(outcome.requests.ok == 60)
        #expect(outcome.perHost.windowNanoseconds == 10_000_000_000)
        #expect(outcome.perHost.peakRequests == 2)
        #expect(outcome.perHost.p99PerSecond == 0.2)
        #expect(outcome.global.windowNanoseconds == 60_000_000_000)
        #expect(outcome.global.peakRequests == 12)
        #expect(outcome.perHost.headroom == -1)
        #expect(outcome.answers.duringThrottling == 60)
        #expect(outcome.answers.wrong + outcome.answers.errors == 60)
        #expect(PlanRunner.breakReason(outcome, margin: 0.2) == "60 requests answered 429; per-host headroom -100 % under the 20 % margin (the busiest 10s had 2 requests against a limit of 1)")
    }

    @Test func sweepOverFleetSizeFindsEachPolicysBreakingPoint() async throws {
        // A per-host limit of 30 a minute with a 20 % margin breaks above 24 a minute. Under seed
        // each process sends 6 a minute (one per connection), so 5 processes break it; under
        // recommended each sends 1 a minute, so 8 processes are still fine.
        var plan = Self.evenPlan()
        plan.policies = [.seed, .recommended]
        plan.server.rateLimits.perHost = FlagServerRateLimit(requests: 30, per: .seconds(60), burst: 30)
        let sweep = try PlanSweep.parse("processes=1..8:8")
        let environment = EnvironmentInfo(toolchain: "test", cores: 2, allocator: "test", startedAt: "now")
        let report = try await PlanRunner.run(plan, file: nil, sweeps: [sweep], environment: environment)
        #expect(report.points.count == 16)
        #expect(report.points.filter { $0.policy == "seed" }.map(\.perHost.peakRequests) == [6, 12, 18, 24, 30, 36, 42, 48])
        let seed = try #require(report.breakingPoints.first { $0.policy == "seed" })
        #expect(seed.lastFine == "4" && seed.firstBreaking == "5")
        let recommended = try #require(report.breakingPoints.first { $0.policy == "recommended" })
        #expect(recommended.firstBreaking == nil && recommended.lastFine == "8")
    }

    @Test func aTTLSweepBreaksAsTheTTLShrinks() async throws {
        // Recommended refreshes at the first check after 90 % of the TTL: with a check every 10 s
        // that is every 10 s under a 10 s TTL (6 a minute), every 20 s under 20 s (3 a minute),
        // every 30 s under 30 s (2), every 60 s under 60 s (1). A limit of 3 a minute with a 20 %
        // margin breaks above 2.4: the change of state is between 30 s (holds) and 20 s (breaks).
        var plan = Self.evenPlan()
        plan.server.rateLimits.perHost = FlagServerRateLimit(requests: 3, per: .seconds(60), burst: 3)
        let environment = EnvironmentInfo(toolchain: "test", cores: 2, allocator: "test", startedAt: "now")
        let report = try await PlanRunner.run(plan, file: nil, sweeps: [try PlanSweep.parse("ttl=10s,20s,30s,60s")],
                                              environment: environment, refine: 0)
        #expect(report.points.map(\.perHost.peakRequests) == [6, 3, 2, 1])
        #expect(report.points.map(\.breaks) == [true, true, false, false])
        let row = try #require(report.breakingPoints.first)
        #expect(row.lastFine == "30s" && row.firstBreaking == "20s")
    }

    @Test func aSweptValueThatMakesThePlanInvalidIsRefusedBeforeRunning() async throws {
        var plan = Self.evenPlan()
        plan.hosts.count = 1_000
        let environment = EnvironmentInfo(toolchain: "test", cores: 2, allocator: "test", startedAt: "now")
        await #expect(throws: PlanSweepError.self) {
            _ = try await PlanRunner.run(plan, file: nil, sweeps: [try PlanSweep.parse("processes=1,100000")],
                                         environment: environment)
        }
    }

    @Test func refiningBisectsEachBracketDownToAdjacentValues() async throws {
        // The plan above, swept at 1 and 8 processes only: seed's bracket 1 → 8 narrows to 4 → 5
        // in three bisections (4 holds, 6 breaks, 5 breaks); recommended never breaks, so nothing to refine.
        var plan = Self.evenPlan()
        plan.policies = [.seed, .recommended]
        plan.server.rateLimits.perHost = FlagServerRateLimit(requests: 30, per: .seconds(60), burst: 30)
        let environment = EnvironmentInfo(toolchain: "test", cores: 2, allocator: "test", startedAt: "now")
        let report = try await PlanRunner.run(plan, file: nil, sweeps: [try PlanSweep.parse("processes=1,8")],
                                              environment: environment, refine: 5)
        #expect(report.points.filter { $0.policy == "seed" }.map { $0.parameters[0].value } == ["1", "4", "5", "6", "8"])
        #expect(report.points.filter { $0.policy == "recommended" }.count == 2)
        let seed = try #require(report.breakingPoints.first { $0.policy == "seed" })
        #expect(seed.lastFine == "4" && seed.firstBreaking == "5")
    }

    @Test func overlappingConnectionsKeepOneClientThatExportsEveryInterval() async throws {
        // Connections every 10 s living 25 s always overlap, so the process's client for the host
        // lives from the first open (t0) to the last close (t0 + 615 s) and exports at t0 + 60 s,
        // …, t0 + 600 s: 10 exports; nothing is pending at its close. Recommended fetches the flag
        // 10 times (every 60 s, as in the first test); exports share the per-host window: 2 a minute.
        var plan = Self.evenPlan(lifetime: .seconds(25))
        plan.telemetry = PlanTelemetry(exportInterval: .seconds(60))
        let outcome = try await FleetSimulation.run(plan, policy: .recommended)
        #expect(outcome.requests.telemetryExports == 10)
        #expect(outcome.requests.flagFetches == 10)
        #expect(outcome.requests.total == 20)
        #expect(outcome.perHost.peakRequests == 2)
    }

    @Test(arguments: [true, false])
    func aShortLivedClientExportsOnlyWhenItFlushesOnClose(flush: Bool) async throws {
        // Connections 100 s apart living 1 s: each has a client of its own for 1 s, too short for a
        // periodic export; flushing on close sends its one event: 6 exports in 600 s, or none.
        var plan = Self.evenPlan(every: .seconds(100))
        plan.telemetry = PlanTelemetry(exportInterval: .seconds(60), flushOnClose: flush)
        let outcome = try await FleetSimulation.run(plan, policy: .seed)
        #expect(outcome.requests.telemetryExports == (flush ? 6 : 0))
        #expect(outcome.requests.flagFetches == 6)
    }

    /// A stationary Poisson plan with a closed form under both policies.
    static func poissonPlan(hosts: Int = 50, skew: HostSkew = .uniform, processes: Int = 1) -> PlanSpec {
        var plan = PlanSpec(name: "poisson", description: "closed form", seed: 11, duration: .seconds(6 * 3_600),
                            hosts: ScenarioHosts(count: hosts, skew: skew), processes: processes,
                            arrivals: PlanArrivals(ratePerSecond: 1.0 / 60), lifetime: .exponential(mean: .seconds(5)))
        plan.cache.ttl = .seconds(900)
        plan.server.defaultHost.ttlSeconds = 900
        plan.server.latency = .fixed(.milliseconds(20))
        return plan
    }

    @Test(.disabled(if: ThreadSanitizerRun.isActive, ThreadSanitizerRun.reason), arguments: [FlagCachePolicy.seed, .recommended])
    func closedFormAgreesWithTheSimulation(policy: FlagCachePolicy) async throws {
        let plan = Self.poissonPlan()
        #expect(PlanClosedForm.unavailableReason(plan, policy: policy) == nil)
        let point = try await PlanRunner.runPoint(plan, policy: policy, parameters: [])
        let analytic = try #require(point.analytic)
        #expect(analytic.agrees, "simulated \(analytic.simulatedRequests), expected \(analytic.expectedRequests)")
        #expect(abs(analytic.difference) < 0.05)
    }

    @Test(.disabled(if: ThreadSanitizerRun.isActive, ThreadSanitizerRun.reason), arguments: [FlagCachePolicy.seed, .recommended])
    func warmUpIsNotMeasuredAndTheClosedFormStillAgrees(policy: FlagCachePolicy) async throws {
        var plan = Self.poissonPlan()
        plan.warmup = .seconds(3_600)
        plan.duration = .seconds(7 * 3_600)
        let point = try await PlanRunner.runPoint(plan, policy: policy, parameters: [])
        let analytic = try #require(point.analytic)
        #expect(analytic.agrees, "simulated \(analytic.simulatedRequests), expected \(analytic.expectedRequests)")
        // Six measured hours of 50 hosts at one connection a minute: 18,000 connections, give or take 3σ.
        #expect(abs(point.connections - 18_000) < 410)
    }

    @Test func aSeedReplaysTheSameFleet() async throws {
        var plan = Self.poissonPlan(hosts: 20, processes: 3)
        plan.duration = .seconds(3_600)
        plan.deploys = [PlanDeploy(at: .seconds(1_800), spread: .seconds(30))]
        plan.server.rateLimits.perHost = FlagServerRateLimit(requests: 2, per: .seconds(60), burst: 2)
        let first = try await FleetSimulation.run(plan, policy: .recommended)
        let second = try await FleetSimulation.run(plan, policy: .recommended)
        #expect(first.requests == second.requests)
        #expect(first.perHost == second.perHost && first.global == second.global)
        #expect(first.answers == second.answers)
        #expect(first.requests.rateLimited > 0)
    }

    @Test func closedFormsMatchHandComputedRates() {
        // seed, λ = 1/60 s, h = 5 s: λ·e^(−λh) = 0.016667 · e^(−1/12) = 0.015334 per second.
        let seed = PlanClosedForm.seedRequests(rate: 1.0 / 60, lifetime: .fixed(.seconds(5)), duration: 1_000_000)
        #expect(abs(seed / 1_000_000 - 0.015334) < 1e-5)
        // recommended, λ = 1/60 s, T = 900 s, f = 0.1, L = 0: a fetch every 810 + 60 = 870 s on average.
        let recommended = PlanClosedForm.recommendedRequests(rate: 1.0 / 60, fixedGap: 810, duration: 870_000)
        #expect(abs(recommended - 1_000) < 1)
    }

    @Test func aLargeDisagreementIsFlagged() {
        // 10,000 expected: 3σ is 3 %, so the 5 % floor applies; 6 % off disagrees, 4 % off agrees.
        let off = PlanClosedForm.check(expected: 10_000, simulated: 10_600, model: "m")
        #expect(!off.agrees && abs(off.difference - 0.06) < 1e-12 && off.tolerance == 0.05)
        #expect(PlanClosedForm.check(expected: 10_000, simulated: 9_600, model: "m").agrees)
        // 100 expected: 3σ is 30 %, wider than 5 %.
        #expect(PlanClosedForm.check(expected: 100, simulated: 125, model: "m").agrees)
    }

    @Test func closedFormIsWithheldWhereItDoesNotHold() {
        var plan = Self.poissonPlan()
        plan.deploys = [PlanDeploy(at: .seconds(60))]
        #expect(PlanClosedForm.unavailableReason(plan, policy: .recommended) == "deploys restart the caches")
        var busy = Self.poissonPlan()
        busy.lifetime = .exponential(mean: .seconds(600))
        #expect(PlanClosedForm.unavailableReason(busy, policy: .seed)?.contains("too near the TTL") == true)
        #expect(PlanClosedForm.unavailableReason(busy, policy: .recommended) == nil)
    }

    @Test(.disabled(if: ThreadSanitizerRun.isActive, ThreadSanitizerRun.reason))
    func poissonScheduleHasTheRateAndTheDailyCycle() {
        var plan = Self.poissonPlan(hosts: 100)
        plan.duration = .seconds(86_400)
        plan.arrivals = PlanArrivals(ratePerSecond: 10.0 / 3_600,
                                     dailyCycle: PlanDailyCycle(trough: 0.25, peakAt: .seconds(12 * 3_600)))
        let schedule = PlanSchedule(plan: plan)
        // 100 hosts × 10 an hour × 24 h = 24,000 expected; 3σ ≈ 465.
        #expect(abs(schedule.connections.count - 24_000) < 465)
        let hour = UInt64(3_600_000_000_000)
        let peakHour = schedule.connections.filter { $0.start / hour == 12 }.count
        let troughHour = schedule.connections.filter { $0.start / hour == 0 }.count
        // At the peak the rate is 1.6× the mean, at the trough 0.4× (a quarter of the peak).
        #expect(abs(Double(peakHour) - 1_600) < 150)
        #expect(abs(Double(troughHour) - 400) < 70)
        #expect(PlanSchedule(plan: plan).connections == schedule.connections)
    }

    @Test func sweepSpellingsParse() throws {
        #expect(try PlanSweep.parse("processes=1..201:5").values == [.count(1), .count(51), .count(101), .count(151), .count(201)])
        #expect(try PlanSweep.parse("hosts=100..100000:4:log").values == [.count(100), .count(1_000), .count(10_000), .count(100_000)])
        #expect(try PlanSweep.parse("ttl=1m,15m").values == [.duration(.seconds(60)), .duration(.seconds(900))])
        #expect(try PlanSweep.parse("policy=seed,recommended").values == [.policy(.seed), .policy(.recommended)])
        func message(_ argument: String) -> String? {
            do {
                _ = try PlanSweep.parse(argument)
                return nil
            } catch {
                return error.description
            }
        }
        #expect(message("proceses=1..5:5")?.contains("did you mean processes?") == true)
        #expect(message("ttl=5m..1m:3") == "--sweep ttl=5m..1m:3: the range must go upwards: 5m is not below 1m")
        #expect(message("processes=9223372036854775807")?.contains("is not a whole number within 1...10000000") == true)
        #expect(message("policy=seed,,recommended") == "--sweep policy=seed,,recommended: unknown policy '': expected seed or recommended")
        #expect(message("processes=2,2") == "--sweep processes=2,2: '2' is given twice")
        #expect(try PlanSweep.parse("processes = 1..8 : 2").values == [.count(1), .count(8)])
        #expect(try PlanSweep.parse("lifetime=100us,1s").values == [.duration(.microseconds(100)), .duration(.seconds(1))])
    }
}
