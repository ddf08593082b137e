import FeatureFlags
import FlagServer
import StormEngine
import Testing

/// The problems `yaml` produces (empty when it decodes), as `path: message` lines.
func problems(_ yaml: String) -> [String] {
    do throws(ScenarioError) {
        _ = try ScenarioSpec.decode(yaml: yaml, file: "test.yaml")
        return []
    } catch {
        return error.problems.map { $0.path.isEmpty ? $0.message : $0.description }
    }
}

/// A valid scenario with `extra` lines appended under `load:` replaced by `load`.
func scenario(load: String = "{executor: burst, connections: 10}", _ extra: String = "") -> String {
    """
    name: test
    description: A test scenario.
    load: \(load)
    \(extra)
    """
}

@Suite struct ScenarioSpecProblemTests {
    @Test func unknownKeySuggestsTheClosestKnownKey() {
        #expect(problems(scenario("rouns: 2")) == ["rouns: unknown key; did you mean \"rounds\"?"])
        #expect(problems(scenario("connection: {checkIntervall: 1s}"))
            == ["connection.checkIntervall: unknown key; did you mean \"checkInterval\"?"])
    }

    @Test func unknownKeyFarFromAnyListsTheKnownKeys() {
        #expect(problems(scenario("fetcher: {explode: 1}")) == ["fetcher.explode: unknown key (known: crash, crashFetches)"])
    }

    @Test func sectionKeyAtTheTopLevelSaysWhichSectionItBelongsTo() {
        #expect(problems(scenario("connections: 10\nttl: 2s")) == [
            "connections: unknown key here; it belongs under load (load.connections)",
            "ttl: unknown key here; it belongs under cache (cache.ttl)",
        ])
    }

    @Test func unknownKeysAreFoundInNestedListsAndHostOverrides() {
        let found = problems(scenario("""
            server:
              outages: [{from: 1s, until: 2s, statsu: 503}]
              hosts:
                host-0.example.com: {latncy: 5ms}
            """))
        #expect(found == [
            "server.hosts[\"host-0.example.com\"].latncy: unknown key; did you mean \"latency\"?",
            "server.outages[0].statsu: unknown key; did you mean \"status\"?",
        ])
    }

    @Test func wrongTypeNamesTheExpectedTypeAndWhatWasGiven() {
        #expect(problems(scenario(load: "{executor: burst, connections: many}"))
            == ["load.connections: expected an integer, got \"many\""])
        #expect(problems(scenario("rounds: [1, 2]")) == ["rounds: expected an integer, got a list"])
        #expect(problems(scenario("cache: 5s")).first?.hasPrefix("cache: expected a mapping with keys ttl, fetchTimeout") == true)
        #expect(problems(scenario("connection: {doubleRelease: often}"))
            == ["connection.doubleRelease: expected a number, got \"often\""])
        #expect(problems(scenario("server: {flag: maybe}")) == ["server.flag: expected true or false, got \"maybe\""])
    }

    @Test func negativeAndZeroCountsAreOutOfRange() {
        #expect(problems(scenario(load: "{executor: burst, connections: -5}")) == ["load.connections: must be > 0"])
        #expect(problems(scenario("hosts: {count: 0}")) == ["hosts.count: must be > 0"])
        #expect(problems(scenario("rounds: -1")) == ["rounds: must be > 0"])
        #expect(problems(scenario("connection: {eventsPerCheck: -1}")) == ["connection.eventsPerCheck: must be >= 0"])
    }

    @Test func fractionsOutsideZeroToOneAreOutOfRange() {
        #expect(problems(scenario("connection: {doubleRelease: 1.5, cancelFirstCheck: -0.1}")) == [
            "connection.doubleRelease: must be within 0...1, got 1.5",
            "connection.cancelFirstCheck: must be within 0...1, got -0.1",
        ])
        #expect(problems(scenario("fetcher: {crash: 2}")) == ["fetcher.crash: must be within 0...1, got 2.0"])
    }

    @Test func zeroDurationsAreRejectedWhereTheyMustBePositive() {
        #expect(problems(scenario("cache: {ttl: 0}\nconnection: {checkInterval: 0ms}")) == [
            "cache.ttl: must be > 0",
            "connection.checkInterval: must be > 0",
        ])
        #expect(problems(scenario(load: "{executor: constant-connections, connections: 1, duration: 0s}"))
            == ["load.duration: must be > 0"])
    }

    @Test func badDurationSaysWhatADurationLooksLike() {
        #expect(problems(scenario("drain: 5")) == ["drain: expected a duration such as 500ms, 2s or 1m, got \"5\""])
        #expect(problems(scenario("cache: {ttl: soon}")) == ["cache.ttl: expected a duration such as 500ms, 2s or 1m, got \"soon\""])
    }

    @Test func unknownExecutorListsTheKnownOnesAndSuggests() {
        #expect(problems(scenario(load: "{executor: bursty, connections: 10}")) == [
            "load.executor: unknown executor \"bursty\" (known: burst, constant-arrival, ramping-arrival, constant-connections); did you mean \"burst\"?",
        ])
    }

    @Test func optionsOfAnotherExecutorAreRejected() {
        #expect(problems(scenario(load: "{executor: burst, connections: 10, rate: 5/s}"))
            == ["load.rate: not an option of executor burst; it applies to constant-arrival"])
        #expect(problems(scenario(load: "{executor: ramping-arrival, stages: [{duration: 1s, target: 1/s}], duration: 5s}"))
            == ["load.duration: not an option of executor ramping-arrival (its duration is the sum of its stages); it applies to constant-arrival, constant-connections"])
    }

    @Test func missingOptionsOfTheExecutorAreRequired() {
        #expect(problems(scenario(load: "{executor: constant-arrival}")) == [
            "load.rate: is required by executor constant-arrival",
            "load.duration: is required by executor constant-arrival",
        ])
        #expect(problems(scenario(load: "{connections: 10}")).first?.hasPrefix("load.executor: is required; one of burst") == true)
    }

    @Test func missingRequiredTopLevelKeysAreReported() {
        #expect(problems("seed: 3") == [
            "name: is required; e.g. name: cold-herd",
            "description: is required; say what the scenario shows and why",
            "load: is required; e.g. load: {executor: burst, connections: 1000}",
        ])
    }

    @Test func unknownFaultKindReusesTheCommandLineMessage() {
        let found = problems(scenario("server: {faults: [\"503@0.2\", \"teapot@0.1\"]}"))
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("server.faults[1]: unknown fault kind 'teapot'") == true)
    }

    @Test func badRateLimitSpellingNamesTheToken() {
        let found = problems(scenario("server: {rateLimits: [\"host=lots/60s\", \"planet=1/s\"]}"))
        #expect(found == [
            "server.rateLimits[0]: bad request count 'lots' in rate 'host=lots/60s': expected a whole number > 0",
            "server.rateLimits[1]: unknown rate-limit scope 'planet' in 'planet=1/s' (known: host, global)",
        ])
    }

    @Test func secondLimitOfOneScopeIsRejected() {
        #expect(problems(scenario("server: {rateLimits: [\"global=1/s\", \"global=2/s\"]}"))
            == ["server.rateLimits[1]: a second global limit: give at most one per scope (host, global)"])
    }

    @Test func badDistributionAndRateSpellingsNameTheToken() {
        #expect(problems(scenario("server: {latency: gaussian 5ms}"))
            == ["server.latency: unknown distribution 'gaussian' in 'gaussian 5ms' (known: a duration, uniform, lognormal, bimodal)"])
        #expect(problems(scenario(load: "{executor: constant-arrival, rate: 200/fortnight, duration: 1s}"))
            == ["load.rate: bad window 'fortnight' in rate '200/fortnight': expected a duration > 0 such as s, m, 100ms"])
        #expect(problems(scenario("hosts: {skew: zipf -1}"))
            == ["hosts.skew: bad exponent '-1' in skew 'zipf -1': expected a number > 0, e.g. zipf 1.1"])
    }

    @Test func serverModelProblemsAppearUnderServerWithFilePaths() {
        let found = problems(scenario("""
            server:
              ttlSeconds: -1
              flips: [{at: 5s, value: false}, {at: 2s, value: true}]
              outages: [{from: 10s, until: 5s, status: 200}]
              latency: uniform 5ms..1ms
            """))
        #expect(found == [
            "server.ttlSeconds: must be >= 0",
            "server.flips[1].at: must not be earlier than flips[0].at",
            "server.latency.uniform.max: must be >= min",
            "server.outages[0].until: must be after start",
            "server.outages[0].status: must be an HTTP status within 100...599 other than 200",
        ])
    }

    @Test func hostsNamedElsewhereMustBeScenarioHosts() {
        let found = problems(scenario("""
            hosts: {count: 3}
            server:
              faults: ["hang:host=host-7.example.com@1"]
              hosts: {HOST-1.example.com: {latency: 1s}, hots-2.example.com: {latency: 1s}}
            telemetry: {slowHosts: [{hosts: [host-3.example.com], start: 1s}]}
            """))
        #expect(found == [
            "telemetry.slowHosts[0].hosts[0]: \"host-3.example.com\" is not one of this scenario's hosts (host-0.example.com … host-2.example.com)",
            "server.hosts[\"hots-2.example.com\"]: \"hots-2.example.com\" is not one of this scenario's hosts (host-0.example.com … host-2.example.com)",
            "server.faults[0]: \"host-7.example.com\" is not one of this scenario's hosts (host-0.example.com … host-2.example.com)",
        ])
    }

    @Test func patternWithoutPlaceholderOrNotPlainIsRejected() {
        #expect(problems(scenario("hosts: {pattern: host.example.com}"))
            == ["hosts.pattern: must contain {i} exactly once, e.g. \"host-{i}.example.com\""])
        #expect(problems(scenario("hosts: {pattern: \"HOST-{i}.example.com\"}"))
            == ["hosts.pattern: must give a plain lower-case host name without scheme, port or path: \"HOST-0.example.com\" normalises to \"host-0.example.com\""])
    }

    @Test func spellingThatDoesNotNormaliseToThePlainNameIsRejected() {
        // With a port in the pattern, a trailing dot lands on the port, not the host.
        #expect(problems(scenario("hosts: {pattern: \"host-{i}.example.com:8443\", spellings: {plain: 1, trailingDot: 1}}"))
            == ["hosts.spellings.trailingDot: \"host-0.example.com:8443.\" normalises to \"host-0.example.com:8443.\", not to \"host-0.example.com:8443\""])
    }

    @Test func nameMustBeLettersDigitsAndDashes() {
        #expect(problems(scenario().replacing("name: test", with: "name: cold herd!"))
            == ["name: must be letters, digits and '-' only, got \"cold herd!\""])
    }

    @Test func emptyThresholdExpressionIsRejected() {
        #expect(problems(scenario("thresholds: {recommended: [\"answers.wrong == 0\", \"\"]}"))
            == ["thresholds.recommended[1]: must not be empty"])
    }

    @Test func threeBadThresholdsAreThreeProblemsReportedWithTheFilesOtherProblems() {
        let found = problems("""
            name: bad-thresholds
            description: Three bad thresholds and two other mistakes.
            load: {executor: burst, connections: 0}
            rounds: 0
            thresholds:
              recommended: ["answers.wrong == 0", "answers.wrng == 0", "latency.isEnabled.p99_ns < 5ms"]
              seed: ["fetches.total = 1"]
              all: ["leaks.allocatedBytesGrowth < 512KiB", "latency.isEnabled.p99_ns < 5MiB"]
            """)
        #expect(found == [
            "load.connections: must be > 0",
            "rounds: must be > 0",
            "thresholds.seed[0]: \"fetches.total = 1\": unknown operator =; did you mean ==? (operators: == != < <= > >=)",
            "thresholds.recommended[1]: \"answers.wrng == 0\": no such report field answers.wrng; did you mean answers.wrong?",
            "thresholds.all[1]: \"latency.isEnabled.p99_ns < 5MiB\": 5MiB is a size in bytes, but latency.isEnabled.p99_ns is a duration: write a duration such as 5ms, 250us, 1.5s (units ns us µs μs ms s m h) or plain nanoseconds",
        ])
    }

    @Test func theErrorsHeadlineNamesTheFileTheScenarioAndHowManyProblems() {
        do throws(ScenarioError) {
            _ = try ScenarioSpec.decode(yaml: scenario("thresholds: {recommended: [\"answers.wrng == 0\", \"= 1\"]}"), file: "bad.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.name == "test")
            #expect(error.headline == "bad.yaml: scenario test: 2 problems")
        }
    }

    @Test func fiveDifferentMistakesYieldFiveProblemsAtOnce() {
        let found = problems("""
            name: five-mistakes
            description: Five different mistakes in one file.
            load:
              executor: burst
              connections: many
              rate: 5/s
            hosts: {count: -3}
            server: {faults: ["teapot@0.1"]}
            connection: {lifetme: 1s}
            """)
        #expect(found.count == 5)
        #expect(found.contains("load.connections: expected an integer, got \"many\""))
        #expect(found.contains("load.rate: not an option of executor burst; it applies to constant-arrival"))
        #expect(found.contains("hosts.count: must be > 0"))
        #expect(found.contains { $0.hasPrefix("server.faults[0]: unknown fault kind 'teapot'") })
        #expect(found.contains("connection.lifetme: unknown key; did you mean \"lifetime\"?"))
    }

    @Test func yamlSyntaxErrorGivesLineAndColumn() {
        let found = problems("""
            name: broken
            load: {executor: burst
            description: never closed
            """)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("line 3, column") == true, "\(found)")
        #expect(found.first?.contains("YAML syntax error") == true)
    }

    @Test func duplicateKeyIsReportedWithItsLine() {
        let found = problems(scenario("rounds: 1\nrounds: 2"))
        #expect(found == ["line 4, column 1: duplicate key \"rounds\" in one mapping"])
    }

    @Test func emptyFileSaysWhatAScenarioNeeds() {
        #expect(problems("") == ["the file is empty: a scenario needs at least name, description and load"])
    }

    @Test func topLevelListIsAWrongType() {
        #expect(problems("- a\n- b").first?.hasPrefix("expected a mapping with keys name, description") == true)
    }

    @Test func errorDescriptionPrintsOneLinePerProblemWithTheFile() {
        do throws(ScenarioError) {
            _ = try ScenarioSpec.decode(yaml: scenario("rounds: 0\ndrain: soon"), file: "Scenarios/x.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "Scenarios/x.yaml")
            #expect(error.description == """
                Scenarios/x.yaml: drain: expected a duration such as 500ms, 2s or 1m, got "soon"
                Scenarios/x.yaml: rounds: must be > 0
                """)
        }
    }
}
