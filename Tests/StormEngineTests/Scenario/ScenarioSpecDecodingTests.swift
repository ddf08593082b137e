import FeatureFlags
import FlagServer
import StormEngine
import Testing

/// A file that sets every key, so each section's decoding is checked against known values.
let fullScenario = """
name: cold-herd
description: |
  1,000 connections open at once on one cold host.
mode: simulated
seed: 42
policy: recommended
cache:
  ttl: 2s
  fetchTimeout: 1s
  ttlBounds: 1s..10m
  refreshAhead: 0.2
  backoffBase: 500ms
  backoffCap: 30s
  sweepThreshold: 64
server:
  flag: true
  flips: [{at: 5s, value: false}, {at: 9s, value: true}]
  ttlSeconds: 60
  ttlSpelling: ttlSeconds
  latency: lognormal median=2ms p99=20ms
  flagName: my.flag
  faults: ["503@0.2", "429:retry=5@0.1", "hang:host=host-3.example.com@1"]
  outages: [{from: 10s, until: 40s, status: 500, retryAfter: 5, hosts: [host-0.example.com]}]
  flapping: [{up: 2s, down: 1s, from: 0s, until: 60s, hosts: [host-1.example.com]}]
  rateLimits: ["host=100/60s,burst=20", "global=1000/s"]
  journalEntryLimit: 5000
  hosts:
    host-0.example.com: {latency: 200ms, ttlSpelling: none}
    host-2.example.com: {flag: false, ttlSeconds: 5}
hosts:
  count: 1000
  pattern: "host-{i}.example.com"
  spellings: {plain: 1, upper: 2, port: 1, url: 1}
  skew: zipf 1.1
load:
  executor: ramping-arrival
  startRate: 10/s
  stages: [{duration: 10s, target: 500/s}, {duration: 5s, target: 5/100ms}]
  maxConnections: 2000
connection:
  lifetime: uniform 1ms..5ms
  checkInterval: 50ms
  eventsPerCheck: 3
  doubleRelease: 0.1
  cancelFirstCheck: 0.25
telemetry:
  start: 1ms
  close: bimodal 1ms stall=2s p=0.01
  slowHosts: [{hosts: [host-0.example.com], start: 2s, close: 3s}]
fetcher:
  crash: 0.05
rounds: 3
drain: 10s
thresholds:
  recommended: ["fetches.redundant == 0", "answers.wrong == 0"]
  seed: ["fetches.total > 1"]
  all: ["leaks.clientsAfterDrain == 0"]
"""

@Suite struct ScenarioSpecDecodingTests {
    @Test func fullFileDecodesTopLevelValues() throws {
        let spec = try ScenarioSpec.decode(yaml: fullScenario, file: "full.yaml")
        #expect(spec.name == "cold-herd")
        #expect(spec.description == "1,000 connections open at once on one cold host.\n")
        #expect(spec.mode == .simulated)
        #expect(spec.seed == 42)
        #expect(spec.policies == [.recommended])
        #expect(spec.rounds == 3)
        #expect(spec.drain == .seconds(10))
    }

    @Test func fullFileDecodesCacheSettingsWithTheScenarioSeedAsJitterSeed() throws {
        let cache = try ScenarioSpec.decode(yaml: fullScenario, file: nil).cache
        #expect(cache.ttl == .seconds(2))
        #expect(cache.fetchTimeout == .seconds(1))
        #expect(cache.ttlBounds == .seconds(1) ... .seconds(600))
        #expect(cache.refreshAheadFraction == 0.2)
        #expect(cache.backoffBase == .milliseconds(500))
        #expect(cache.backoffCap == .seconds(30))
        #expect(cache.sweepThreshold == 64)
        #expect(cache.jitterSeed == 42)
    }

    @Test func fullFileDecodesTheServerConfiguration() throws {
        let server = try ScenarioSpec.decode(yaml: fullScenario, file: nil).server
        #expect(server.seed == 42)
        #expect(server.flagName == "my.flag")
        #expect(server.defaultHost == FlagHostProfile(
            truth: .schedule(initial: true, flips: [FlagFlip(at: .seconds(5), value: false), FlagFlip(at: .seconds(9), value: true)]),
            ttlSeconds: 60, ttlSpelling: .camelCase, latency: nil))
        #expect(server.latency == .logNormal(median: .milliseconds(2), p99: .milliseconds(20)))
        #expect(server.faults == [
            FlagServerFault(.status(503, retryAfterSeconds: nil), probability: 0.2),
            FlagServerFault(.status(429, retryAfterSeconds: 5), probability: 0.1),
            FlagServerFault(.hang, probability: 1, hosts: ["host-3.example.com"]),
        ])
        #expect(server.outages == [FlagServerOutage(
            window: FlagServerTimeWindow(start: .seconds(10), end: .seconds(40)), status: 500,
            retryAfterSeconds: 5, hosts: ["host-0.example.com"])])
        #expect(server.flapping.count == 1)
        #expect(server.flapping.first?.window == FlagServerTimeWindow(start: .zero, end: .seconds(60)))
        #expect(server.flapping.first?.status == 503)
        #expect(server.rateLimits.perHost == FlagServerRateLimit(requests: 100, per: .seconds(60), burst: 20))
        #expect(server.rateLimits.global == FlagServerRateLimit(requests: 1000, per: .seconds(1)))
        #expect(server.journalEntryLimit == 5000)
        #expect(server.hosts["host-0.example.com"] == FlagHostProfile(ttlSpelling: TTLSpelling.none, latency: .fixed(.milliseconds(200))))
        #expect(server.hosts["host-2.example.com"] == FlagHostProfile(truth: .constant(false), ttlSeconds: 5))
    }

    @Test func fullFileDecodesHostsLoadAndConnections() throws {
        let spec = try ScenarioSpec.decode(yaml: fullScenario, file: nil)
        #expect(spec.hosts == ScenarioHosts(count: 1000, pattern: "host-{i}.example.com",
                                            spellings: [.plain: 1, .upper: 2, .port: 1, .url: 1], skew: .zipf(exponent: 1.1)))
        #expect(spec.load == .rampingArrival(
            startRate: ArrivalRate(count: 10, per: .seconds(1)),
            stages: [RampingStage(duration: .seconds(10), target: ArrivalRate(count: 500, per: .seconds(1))),
                     RampingStage(duration: .seconds(5), target: ArrivalRate(count: 5, per: .milliseconds(100)))],
            maxConnections: 2000))
        #expect(spec.load.executor == .rampingArrival)
        #expect(spec.load.duration == .seconds(15))
        #expect(spec.connection == ScenarioConnection(
            lifetime: .uniform(min: .milliseconds(1), max: .milliseconds(5)), checkInterval: .milliseconds(50),
            eventsPerCheck: 3, doubleRelease: 0.1, cancelFirstCheck: 0.25))
    }

    @Test func fullFileDecodesTelemetryFetcherAndThresholds() throws {
        let spec = try ScenarioSpec.decode(yaml: fullScenario, file: nil)
        #expect(spec.telemetry == ScenarioTelemetry(
            start: .fixed(.milliseconds(1)),
            close: .bimodal(base: .fixed(.milliseconds(1)), stallProbability: 0.01, stall: .seconds(2)),
            slowHosts: [SlowTelemetryHosts(hosts: ["host-0.example.com"], start: .fixed(.seconds(2)), close: .fixed(.seconds(3)))]))
        #expect(spec.fetcher == ScenarioFetcher(crash: 0.05))
        #expect(spec.thresholds(for: .recommended) == ["fetches.redundant == 0", "answers.wrong == 0", "leaks.clientsAfterDrain == 0"])
        #expect(spec.thresholds(for: .seed) == ["fetches.total > 1", "leaks.clientsAfterDrain == 0"])
    }

    @Test func minimalFileGetsTheDocumentedDefaults() throws {
        let spec = try ScenarioSpec.decode(yaml: """
            name: tiny
            description: One connection, nothing else.
            load: {executor: burst, connections: 1}
            """, file: nil)
        #expect(spec.mode == .realtime)
        #expect(spec.seed == 1)
        #expect(spec.policies == [.seed, .recommended])
        #expect(spec.cache.ttl == .seconds(15 * 60))
        #expect(spec.cache.fetchTimeout == .seconds(10))
        #expect(spec.server == FlagServerConfiguration(seed: 1))
        #expect(spec.hosts == ScenarioHosts(count: 1, pattern: "host-{i}.example.com", spellings: [.plain: 1], skew: .uniform))
        #expect(spec.load == .burst(connections: 1))
        #expect(spec.connection == ScenarioConnection(lifetime: .fixed(.seconds(1)), checkInterval: .milliseconds(100),
                                                      eventsPerCheck: 1, doubleRelease: 0, cancelFirstCheck: 0))
        #expect(spec.telemetry == ScenarioTelemetry(start: .zero, close: .zero, slowHosts: []))
        #expect(spec.fetcher.crash == 0)
        #expect(spec.rounds == 1)
        #expect(spec.drain == .seconds(5))
        #expect(spec.thresholds == ScenarioThresholds())
        #expect(spec.validate().isEmpty)
    }

    @Test func constantArrivalDefaultsTheOpenModelCap() throws {
        let spec = try ScenarioSpec.decode(yaml: """
            name: steady
            description: A steady stream.
            load: {executor: constant-arrival, rate: 200/s, duration: 30s}
            """, file: nil)
        #expect(spec.load == .constantArrival(rate: ArrivalRate(count: 200, per: .seconds(1)), duration: .seconds(30),
                                              maxConnections: ScenarioLoad.defaultMaxConnections))
        #expect(spec.load.duration == .seconds(30))
    }

    @Test func constantConnectionsKeepsConnectionsAndDuration() throws {
        let spec = try ScenarioSpec.decode(yaml: """
            name: churn
            description: Churn.
            load: {executor: constant-connections, connections: 500, duration: 1m}
            """, file: nil)
        #expect(spec.load == .constantConnections(connections: 500, duration: .seconds(60)))
    }

    @Test func policyNamesMapToPolicyLists() throws {
        for (name, expected) in [("seed", [FlagCachePolicy.seed]), ("recommended", [.recommended]), ("both", [.seed, .recommended])] {
            let spec = try ScenarioSpec.decode(yaml: """
                name: p
                description: d
                policy: \(name)
                load: {executor: burst, connections: 1}
                """, file: nil)
            #expect(spec.policies == expected, "policy \(name)")
        }
    }

    @Test func scenarioHelpersForwardToTheHosts() throws {
        let spec = try ScenarioSpec.decode(yaml: """
            name: h
            description: d
            hosts: {count: 5, pattern: "db-{i}.corp.example"}
            load: {executor: burst, connections: 1}
            """, file: nil)
        #expect(spec.hostName(at: 4) == "db-4.corp.example")
        #expect(spec.spelling(of: 2, choice: .url) == "https://db-2.corp.example")
    }
}
