import FeatureFlags
import FlagServer
import Foundation
import StormEngine
import Testing

/// A plan that sets every key, so each section's decoding is checked against known values.
let fullPlan = """
name: fleet-baseline
description: |
  Twenty processes against a thousand hosts for a day.
seed: 7
policy: both
duration: 24h
window: 5m
headroom: 20%
hosts:
  count: 1000
  skew: zipf 1.1
fleet:
  processes: 20
connections:
  arrivals: uniform
  rate: 12/1h
  dailyCycle: {trough: 0.2, peakAt: 14h}
  lifetime: exponential 5m
deploys:
  - {at: 10h, spread: 30s}
  - {at: 20h}
cache:
  ttl: 2h
  fetchTimeout: 5s
server:
  latency: 20ms
  rateLimits: ["host=60/1m,burst=60", "global=2000/1s"]
  outages: [{from: 6h, until: 6h10m, status: 503, retryAfter: 30}]
  hosts:
    host-3.example.com: {latency: 200ms}
    host-4.example.com: {ttlSeconds: 5}
"""

/// The problems `yaml` produces as a plan (empty when it decodes), as `path: message` lines.
func planProblems(_ yaml: String) -> [String] {
    do throws(ScenarioError) {
        _ = try PlanSpec.decode(yaml: yaml, file: "plan.yaml")
        return []
    } catch {
        return error.problems.map { $0.path.isEmpty ? $0.message : $0.description }
    }
}

/// A valid plan with `extra` lines appended (top-level keys not already given).
func plan(_ extra: String = "") -> String {
    """
    name: test
    description: A test plan.
    duration: 1h
    connections: {rate: 1/m, lifetime: 30s}
    \(extra)
    """
}

@Suite struct PlanSpecDecodingTests {
    @Test func fullPlanDecodesTopLevelValues() throws {
        let spec = try PlanSpec.decode(yaml: fullPlan, file: "full.yaml")
        #expect(spec.name == "fleet-baseline")
        #expect(spec.description == "Twenty processes against a thousand hosts for a day.\n")
        #expect(spec.seed == 7)
        #expect(spec.policies == [.seed, .recommended])
        #expect(spec.duration == .seconds(86_400))
        #expect(spec.window == .seconds(300))
        #expect(spec.headroomMargin == 0.2)
        #expect(spec.hosts == ScenarioHosts(count: 1000, skew: .zipf(exponent: 1.1)))
        #expect(spec.processes == 20)
    }

    @Test func fullPlanDecodesConnectionsAndDeploys() throws {
        let spec = try PlanSpec.decode(yaml: fullPlan, file: nil)
        #expect(spec.arrivals == PlanArrivals(
            ratePerSecond: 12.0 / 3600, process: .uniform,
            dailyCycle: PlanDailyCycle(trough: 0.2, peakAt: .seconds(14 * 3600))))
        #expect(spec.lifetime == .exponential(mean: .seconds(300)))
        #expect(spec.deploys == [PlanDeploy(at: .seconds(36_000), spread: .seconds(30)), PlanDeploy(at: .seconds(72_000))])
    }

    @Test func fullPlanDecodesCacheWithThePlanSeedAndBoundsWidenedToTheTTL() throws {
        let cache = try PlanSpec.decode(yaml: fullPlan, file: nil).cache
        #expect(cache.ttl == .seconds(7200))
        #expect(cache.fetchTimeout == .seconds(5))
        #expect(cache.jitterSeed == 7)
        // The default bounds are 10s..1h; a 2h TTL widens them rather than being clamped.
        #expect(cache.ttlBounds == .seconds(10) ... .seconds(7200))
    }

    @Test func fullPlanServerAdvertisesTheCacheTTLWhereTheFileGivesNone() throws {
        let server = try PlanSpec.decode(yaml: fullPlan, file: nil).server
        #expect(server.seed == 7)
        #expect(server.latency == .fixed(.milliseconds(20)))
        #expect(server.defaultHost.ttlSeconds == 7200)
        #expect(server.hosts["host-3.example.com"]?.ttlSeconds == 7200)
        #expect(server.hosts["host-4.example.com"]?.ttlSeconds == 5)
        #expect(server.rateLimits.perHost == FlagServerRateLimit(requests: 60, per: .seconds(60), burst: 60))
        #expect(server.rateLimits.global == FlagServerRateLimit(requests: 2000, per: .seconds(1)))
        #expect(server.outages == [FlagServerOutage(
            window: FlagServerTimeWindow(start: .seconds(6 * 3600), end: .seconds(6 * 3600 + 600)), status: 503,
            retryAfterSeconds: 30, hosts: nil)])
    }

    @Test func givenServerTTLIsKeptAndAdvertisedTTLIsRoundedToAtLeastOneSecond() throws {
        #expect(try PlanSpec.decode(yaml: plan("server: {ttlSeconds: 60}"), file: nil).server.defaultHost.ttlSeconds == 60)
        #expect(try PlanSpec.decode(yaml: plan("cache: {ttl: 1500ms}"), file: nil).server.defaultHost.ttlSeconds == 2)
        let short = try PlanSpec.decode(yaml: plan("cache: {ttl: 200ms}"), file: nil)
        #expect(short.server.defaultHost.ttlSeconds == 1)
        #expect(short.cache.ttlBounds == .milliseconds(200) ... .seconds(3600))
    }

    @Test func minimalPlanGetsTheDocumentedDefaults() throws {
        let spec = try PlanSpec.decode(yaml: plan(), file: nil)
        #expect(spec.seed == 1)
        #expect(spec.policies == [.recommended])
        #expect(spec.duration == .seconds(3600))
        #expect(spec.window == .seconds(60))
        #expect(spec.headroomMargin == 0.2)
        #expect(spec.processes == 1)
        #expect(spec.arrivals == PlanArrivals(ratePerSecond: 1.0 / 60, process: .poisson, dailyCycle: nil))
        #expect(spec.lifetime == .fixed(.seconds(30)))
        #expect(spec.deploys.isEmpty)
        #expect(spec.cache.jitterSeed == 1)
        #expect(spec.server.seed == 1)
        #expect(spec.server.defaultHost.ttlSeconds == 900)
    }

    @Test func headroomReadsAsAFractionOrAPercentage() throws {
        #expect(try PlanSpec.decode(yaml: plan("headroom: 0.35"), file: nil).headroomMargin == 0.35)
        #expect(try PlanSpec.decode(yaml: plan("headroom: 5%"), file: nil).headroomMargin == 0.05)
        #expect(planProblems(plan("headroom: lots"))
            == ["headroom: expected a fraction such as 0.2 or a percentage such as 20%, got \"lots\""])
        #expect(planProblems(plan("headroom: 100%")) == ["headroom: must be within 0..<1 (or 0%..<100%), got 1.0"])
    }

    @Test func telemetryAndWarmUpDecodeAndAreValidated() throws {
        let decoded = try PlanSpec.decode(yaml: plan("warmup: 10m\ntelemetry: {exportInterval: 1m, flushOnClose: false}"), file: nil)
        #expect(decoded.warmup == .seconds(600))
        #expect(decoded.telemetry == PlanTelemetry(exportInterval: .seconds(60), flushOnClose: false))
        #expect(try PlanSpec.decode(yaml: plan(), file: nil).telemetry == nil)
        #expect(planProblems(plan("warmup: 2h\ntelemetry: {flushOnClose: true, every: 1m}")) == [
            "telemetry.every: unknown key (known: exportInterval, flushOnClose)",
            "telemetry.exportInterval: is required; e.g. telemetry: {exportInterval: 1m}",
            "warmup: must be within 0..<duration (1h), got 2h; the warm-up is part of the duration",
        ])
        #expect(planProblems(plan("telemetry: {exportInterval: 0}")) == ["telemetry.exportInterval: must be > 0"])
    }

    @Test func lifetimeParsesEachForm() throws {
        #expect(try PlanSpec.parseLifetime("30s") == .fixed(.seconds(30)))
        #expect(try PlanSpec.parseLifetime("fixed 30s") == .fixed(.seconds(30)))
        #expect(try PlanSpec.parseLifetime("exponential 5m") == .exponential(mean: .seconds(300)))
        #expect(try PlanSpec.parseLifetime("uniform 1m..10m") == .uniform(min: .seconds(60), max: .seconds(600)))
        #expect(try PlanSpec.parseLifetime("uniform 1m .. 10m") == .uniform(min: .seconds(60), max: .seconds(600)))
    }

    @Test func badLifetimeSpellingsNameTheTokenAndTheExpectedForms() {
        func message(_ text: String) -> String? {
            do throws(FlagServerCommandLineError) {
                _ = try PlanSpec.parseLifetime(text)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(message("forever")
            == "unknown lifetime 'forever': expected \"30s\", \"fixed 30s\", \"exponential 5m\" or \"uniform 1m..10m\"")
        #expect(message("exponential") == "missing one mean duration in lifetime 'exponential': expected e.g. exponential 5m")
        #expect(message("uniform 1m..soon")
            == "bad maximum 'soon' in lifetime 'uniform 1m..soon': expected a duration such as 30s, 5m, 1h")
        #expect(message("uniform 1m") == "missing a range in lifetime 'uniform 1m': expected e.g. uniform 1m..10m")
    }

    @Test func lifetimeRangesAreValidated() {
        #expect(planProblems(plan().replacing("lifetime: 30s", with: "lifetime: uniform 10m..1m"))
            == ["connections.lifetime: uniform minimum 10m is above maximum 1m"])
        #expect(planProblems(plan().replacing("lifetime: 30s", with: "lifetime: exponential 0"))
            == ["connections.lifetime: exponential mean must be > 0"])
    }

    @Test func emptyFileIsOneProblemSayingWhatAPlanNeeds() {
        let message = "the file is empty: a plan needs at least name, description, duration and connections (rate, lifetime)"
        #expect(planProblems("") == [message])
        #expect(planProblems("# nothing but a comment\n") == [message])
        #expect(throws: ScenarioError(file: nil, problems: [.init(path: "", message: message)], kind: .plan)) {
            try PlanSpec.decode(yaml: "", file: nil)
        }
        #expect(ScenarioError(file: nil, problems: [.init(path: "", message: message)], kind: .plan).description
            == "<plan>: \(message)")
    }

    @Test func missingRequiredKeysAreEachReported() {
        #expect(planProblems("name: lonely") == [
            "description: is required; say what the plan models and why",
            "duration: is required; e.g. duration: 24h",
            "connections: is required; e.g. connections: {rate: 12/1h, lifetime: exponential 5m}",
        ])
        #expect(planProblems(plan().replacing("connections: {rate: 1/m, lifetime: 30s}", with: "connections: {arrivals: poisson}")) == [
            "connections.rate: is required; per host and process, e.g. rate: 12/1h",
            "connections.lifetime: is required; e.g. lifetime: exponential 5m",
        ])
    }

    @Test func manyProblemsAreAllReportedAtOnceEachWithItsPath() {
        let found = planProblems("""
            name: fleet-bad
            description: Many problems at once.
            polcy: both
            duration: 24h
            window: soon
            headroom: 1.5
            fleet: {processes: -3}
            connections:
              rate: 0/1h
              dailyCycle: {trough: 2, peakAt: 25h}
              lifetime: forever 5m
            deploys:
              - {at: 10h}
              - {at: 30h, spread: 1m}
            cache: {refreshAhead: 1}
            server:
              rateLimits: ["host=sixty/1m"]
            """)
        #expect(found == [
            "polcy: unknown key; did you mean \"policy\"?",
            "window: expected a duration such as 500ms, 2s or 1m, got \"soon\"",
            "connections.lifetime: unknown lifetime 'forever 5m': expected \"30s\", \"fixed 30s\", \"exponential 5m\" or \"uniform 1m..10m\"",
            "server.rateLimits[0]: bad request count 'sixty' in rate 'host=sixty/1m': expected a whole number > 0",
            "headroom: must be within 0..<1 (or 0%..<100%), got 1.5",
            "fleet.processes: must be >= 1, got -3",
            "connections.rate: must be > 0",
            "connections.dailyCycle.trough: must be within 0...1, got 2.0",
            "connections.dailyCycle.peakAt: must be within 0..<24h, got 25h",
            "deploys[1].at: must be within 0..<duration (24h), got 30h",
            "cache.refreshAhead: must be within 0..<1, got 1.0",
        ])
    }

    @Test func sectionKeysAtTheTopLevelSayWhereTheyBelong() {
        #expect(planProblems(plan("processes: 20\nttl: 5m")) == [
            "processes: unknown key here; it belongs under fleet (fleet.processes)",
            "ttl: unknown key here; it belongs under cache (cache.ttl)",
        ])
        #expect(planProblems(plan("fleet: {proceses: 2}")) == ["fleet.proceses: unknown key; did you mean \"processes\"?"])
    }

    @Test func fleetLargerThanTheEngineSupportsIsAProblem() {
        // One connection a minute per host and process for an hour.
        #expect(planProblems(plan("hosts: {count: 1000000}\nfleet: {processes: 11}")) == [
            "fleet: the fleet has 11,000,000 host-process pairs; at most 10,000,000 are supported",
            "connections.rate: the fleet would open about 660,000,000 connections; at most 100,000,000 are supported (lower the rate, the fleet or the duration)",
        ])
        #expect(planProblems(plan("hosts: {count: 1000000}\nfleet: {processes: 10}")) == [
            "connections.rate: the fleet would open about 600,000,000 connections; at most 100,000,000 are supported (lower the rate, the fleet or the duration)",
        ])
        #expect(planProblems(plan("hosts: {count: 1000000}")).isEmpty)
    }

    @Test func spansWindowsAndDuplicateHostProfilesAreRefused() {
        #expect(planProblems(plan("window: 100us\nwarmup: 0s")) == [
            "window: a 100us window splits the 1h duration into more than 10,000,000 windows; use a longer one",
        ])
        #expect(planProblems("""
            name: test
            description: A test plan.
            duration: 9000h
            connections: {rate: 1/24h, lifetime: exponential 9000h}
            """) == [
            "duration: must be at most 366 days (8784h), got 9000h",
            "connections.lifetime: exponential mean must be at most 366 days (8784h)",
        ])
        #expect(planProblems(plan("hosts: {count: 5}\nserver: {hosts: {host-3.example.com: {flag: false}, HOST-3.example.com: {flag: true}}}"))
            == ["server.hosts[\"host-3.example.com\"]: names the same host as \"HOST-3.example.com\" (host-3.example.com)"])
    }

    @Test func givenTTLBoundsThatExcludeTheTTLAreAProblemNotWidened() {
        #expect(planProblems(plan("cache: {ttl: 2h, ttlBounds: 1s..1h}"))
            == ["cache.ttlBounds: must contain the TTL (cache.ttl: 2h), got 1s..1h"])
    }

    @Test func serverHostsMustBeThePlansHostsAndServerProblemsAreUnderServer() {
        #expect(planProblems(plan("server: {outages: [{from: 2h, until: 1h, hosts: [nope.example.com]}]}")) == [
            "server.outages[0].hosts: \"nope.example.com\" is not one of this plan's hosts (host-0.example.com … host-0.example.com)",
            "server.outages[0].until: must be after start",
        ])
    }

    @Test func yamlSyntaxErrorIsOneProblemWithItsLine() {
        let found: [ConfigurationProblem]
        do throws(ScenarioError) {
            _ = try PlanSpec.decode(yaml: "name: test\ndescription: [unclosed\n", file: "broken.yaml")
            found = []
        } catch {
            #expect(error.kind == .plan)
            found = error.problems
        }
        #expect(found.count == 1)
        #expect(found.first?.path.hasPrefix("line ") == true)
        #expect(found.first?.message.hasPrefix("YAML syntax error") == true)
    }
}

@Suite struct PlanSpecFilesTests {
    @Test func missingFileIsOneProblemNamingThePathAndWherePlansLive() {
        do throws(ScenarioError) {
            _ = try PlanSpec.load(contentsOf: "/nonexistent/fleet.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/fleet.yaml")
            #expect(error.kind == .plan)
            #expect(error.problems.count == 1)
            #expect(error.description
                == "/nonexistent/fleet.yaml: no such file; check the path (plan files live in Scenarios/plans/)")
        }
    }

    @Test func directoryIsNotAPlanFile() throws {
        let directory = NSTemporaryDirectory() + "plan-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        #expect(throws: ScenarioError(file: directory, problems: [.init(
            path: "", message: "is a directory, not a plan file; name the .yaml files in it")], kind: .plan)) {
            try PlanSpec.load(contentsOf: directory)
        }
    }

    @Test func fileLoadsAndDecodes() throws {
        let directory = NSTemporaryDirectory() + "plan-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/fleet-baseline.yaml"
        try fullPlan.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try PlanSpec.load(contentsOf: path).name == "fleet-baseline")
    }
}
