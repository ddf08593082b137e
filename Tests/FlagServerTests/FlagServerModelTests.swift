import FeatureFlags
import FlagServer
import Testing

@Suite struct FlagServerModelTests {
    // MARK: Faults

    @Test func eachFaultKindFiresWithItsProbability() {
        let plan: [(FlagServerFaultKind, Double)] = [
            (.status(503), 0.10),
            (.status(429, retryAfterSeconds: 5), 0.05),
            (.hang, 0.05),
            (.reset, 0.05),
            (.emptyBody, 0.05),
            (.malformedJSON, 0.05),
            (.slowBody(.seconds(2)), 0.05),
        ]
        let model = makeModel(FlagServerConfiguration(
            seed: 7, faults: plan.map { FlagServerFault($0.0, probability: $0.1) }))
        let requests = 2_000
        var decisions: [FlagServerDecision] = []
        for index in 0..<requests {
            decisions.append(model.handle(host: "h\(index % 20).example", at: at(.milliseconds(10 * index))))
        }
        let outcomes = model.journal().map(\.outcome)
        func fraction(_ matches: (FlagServerOutcome) -> Bool) -> Double {
            Double(outcomes.filter(matches).count) / Double(requests)
        }
        let observed: [(String, Double, Double)] = [
            ("503", fraction { $0 == .status(503) }, 0.10),
            ("429", fraction { $0 == .status(429) }, 0.05),
            ("hang", fraction { $0 == .hang }, 0.05),
            ("reset", fraction { $0 == .reset }, 0.05),
            ("empty", fraction { $0 == .emptyBody }, 0.05),
            ("malformed", fraction { $0 == .malformedJSON }, 0.05),
            ("slow body", fraction { $0 == .slowBody(true, duration: .seconds(2)) }, 0.05),
            ("ok", fraction { $0 == .ok(true) }, 0.60),
        ]
        for (name, seen, expected) in observed {
            #expect(abs(seen - expected) < 0.025, "\(name): \(seen) vs \(expected)")
        }

        // Each decision has the shape its outcome promises.
        for (decision, outcome) in zip(decisions, outcomes) {
            switch outcome {
            case .status(429):
                #expect(decision.response?.status == 429)
                #expect(decision.response?.retryAfterSeconds == 5)
            case .status(503):
                #expect(decision.response?.status == 503)
                #expect(decision.response?.retryAfterSeconds == nil)
            case .hang:
                #expect(decision.action == .hang)
            case .reset:
                #expect(decision.action == .reset)
            case .emptyBody:
                #expect(decision.response?.status == 200)
                #expect(decision.response?.body.isEmpty == true)
            case .malformedJSON:
                #expect(decision.response?.status == 200)
                #expect(decision.response?.content == .malformed)
                #expect(decision.response?.bodyText.hasSuffix("}") == false)
            case .slowBody:
                guard case .slowBody(let response, let duration) = decision.action else {
                    Issue.record("slow body outcome without a slow-body action")
                    continue
                }
                #expect(duration == .seconds(2))
                #expect(response.bodyText == flagBody(true))
            case .ok:
                #expect(decision.response?.bodyText == flagBody(true))
            default:
                Issue.record("unexpected outcome \(outcome)")
            }
        }
    }

    @Test func faultsApplyOnlyInTheirWindowAndToTheirHosts() {
        let model = makeModel(FlagServerConfiguration(faults: [
            FlagServerFault(.status(500), probability: 1,
                            window: FlagServerTimeWindow(start: .seconds(10), end: .seconds(20)),
                            hosts: ["A.example"]),
        ]))
        #expect(model.handle(host: "a.example", at: at(.seconds(9))).response?.status == 200)
        #expect(model.handle(host: "a.example", at: at(.seconds(10))).response?.status == 500)
        #expect(model.handle(host: "https://A.EXAMPLE/", at: at(.seconds(15))).response?.status == 500)
        #expect(model.handle(host: "b.example", at: at(.seconds(15))).response?.status == 200)
        #expect(model.handle(host: "a.example", at: at(.seconds(20))).response?.status == 200)
    }

    // MARK: Truth and TTL

    @Test func flagFlipsOverTimeAndTruthFollowsThem() {
        let schedule = FlagTruth.schedule(initial: false, flips: [
            FlagFlip(at: .seconds(10), value: true),
            FlagFlip(at: .seconds(20), value: false),
        ])
        let model = makeModel(FlagServerConfiguration(
            defaultHost: FlagHostProfile(truth: .constant(true)),
            hosts: ["Flip.example": FlagHostProfile(truth: schedule)]))
        let expectations: [(Duration, Bool)] = [
            (.zero, false), (.milliseconds(9_999), false), (.seconds(10), true),
            (.seconds(19), true), (.seconds(20), false), (.seconds(3_600), false),
        ]
        for (elapsed, expected) in expectations {
            #expect(model.truth(host: "https://flip.example/", at: at(elapsed)) == expected, "at \(elapsed)")
            let decision = model.handle(host: "flip.example", at: at(elapsed))
            #expect(decision.response?.bodyText == flagBody(expected), "at \(elapsed)")
        }
        #expect(model.journal().map(\.outcome) == expectations.map { .ok($0.1) })
        // Other hosts use the default profile, and instants before the start read as the start.
        #expect(model.truth(host: "other.example", at: at(.seconds(15))))
        #expect(!model.truth(host: "flip.example", at: .zero))
    }

    @Test func bodyCarriesTheTTLInTheConfiguredSpelling() {
        let spellings: [(TTLSpelling, String, Int?)] = [
            (.snakeCase, #","ttl_seconds":900"#, 900),
            (.camelCase, #","ttlSeconds":900"#, 900),
            (.both, #","ttl_seconds":900,"ttlSeconds":900"#, 900),
            (.none, "", nil),
        ]
        for (spelling, field, advertised) in spellings {
            let model = makeModel(FlagServerConfiguration(
                defaultHost: FlagHostProfile(ttlSeconds: 900, ttlSpelling: spelling)))
            let response = model.handle(host: "a.example", at: at(.zero)).response
            #expect(response?.status == 200)
            #expect(response?.bodyText == flagBody(true, ttlField: field), "\(spelling)")
            #expect(response?.content == .flags(name: FlagServerConfiguration.defaultFlagName,
                                                enabled: true, ttlSeconds: advertised))
            #expect(response?.headers.contains(FlagServerHeader(name: "Content-Type", value: "application/json")) == true)
        }
    }

    // MARK: Outages and flapping

    @Test func outageAnswersEveryRequestInItsWindowWithItsStatus() {
        let model = makeModel(FlagServerConfiguration(outages: [
            FlagServerOutage(window: FlagServerTimeWindow(start: .seconds(10), end: .seconds(20)),
                             status: 503, retryAfterSeconds: 7),
            FlagServerOutage(window: FlagServerTimeWindow(start: .seconds(30), end: .seconds(40)),
                             status: 500, hosts: ["only.example"]),
        ]))
        #expect(model.handle(host: "a.example", at: at(.milliseconds(9_999))).response?.status == 200)
        for elapsed in stride(from: 10_000, to: 20_000, by: 500) {
            let response = model.handle(host: "a.example", at: at(.milliseconds(elapsed))).response
            #expect(response?.status == 503)
            #expect(response?.retryAfterSeconds == 7)
        }
        #expect(model.handle(host: "a.example", at: at(.seconds(20))).response?.status == 200)
        #expect(model.handle(host: "a.example", at: at(.seconds(35))).response?.status == 200)
        #expect(model.handle(host: "only.example", at: at(.seconds(35))).response?.status == 500)
        #expect(model.statistics()[.status] == 21)
    }

    @Test func flappingAlternatesUpAndDownPeriods() {
        let model = makeModel(FlagServerConfiguration(flapping: [
            FlagServerFlapping(up: .seconds(5), down: .seconds(5), status: 502),
        ]))
        let expected: [(Duration, Int)] = [
            (.seconds(1), 200), (.milliseconds(4_999), 200), (.seconds(5), 502), (.seconds(6), 502),
            (.seconds(10), 200), (.seconds(11), 200), (.seconds(16), 502), (.seconds(101), 200),
        ]
        for (elapsed, status) in expected {
            #expect(model.handle(host: "a.example", at: at(elapsed)).response?.status == status, "at \(elapsed)")
        }

        let windowed = makeModel(FlagServerConfiguration(flapping: [
            FlagServerFlapping(up: .seconds(2), down: .seconds(3),
                               window: FlagServerTimeWindow(start: .seconds(100), end: .seconds(200))),
        ]))
        #expect(windowed.handle(host: "a.example", at: at(.seconds(52))).response?.status == 200)
        #expect(windowed.handle(host: "a.example", at: at(.seconds(101))).response?.status == 200)
        #expect(windowed.handle(host: "a.example", at: at(.seconds(103))).response?.status == 503)
        #expect(windowed.handle(host: "a.example", at: at(.seconds(106))).response?.status == 200)
        #expect(windowed.handle(host: "a.example", at: at(.seconds(203))).response?.status == 200)
    }

    // MARK: Journal

    @Test func journalAndCountersEqualTheRequestsSent() {
        let model = makeModel(FlagServerConfiguration(faults: [FlagServerFault(.status(500), probability: 0.3)]))
        let perHost = ["a.example": 90, "b.example": 7, "c.example": 1]
        var decisions: [FlagServerDecision] = []
        for (host, count) in perHost.sorted(by: { $0.key < $1.key }) {
            for index in 0..<count {
                decisions.append(model.handle(host: host, at: at(.seconds(index))))
            }
        }
        let journal = model.journal()
        let statistics = model.statistics()
        #expect(journal.count == 98)
        #expect(journal.map(\.requestID) == Array(0..<98))
        #expect(decisions.map(\.requestID) == Array(0..<98))
        #expect(statistics.requests == 98)
        #expect(statistics[.ok] + statistics[.status] == 98)
        for (host, count) in perHost {
            #expect(statistics.hosts[host]?.requests == count)
            #expect(journal.filter { $0.host == host }.count == count)
        }
        // One request a second: any sliding minute holds at most 60 of them.
        #expect(statistics.hosts["a.example"]?.peakRequestsPerMinute == 60)
        #expect(statistics.hosts["b.example"]?.peakRequestsPerMinute == 7)
        #expect(statistics.peakRequestsPerMinutePerHost == 60)

        // The in-flight gauge: every handled request until it is finished, once.
        #expect(statistics.inFlight == 98)
        #expect(statistics.peakInFlight == 98)
        for decision in decisions.prefix(90) { #expect(model.finish(decision)) }
        #expect(!model.finish(decisions[0]))
        #expect(model.statistics().inFlight == 8)
        #expect(model.statistics().peakInFlight == 98)
    }

    @Test func journalLimitKeepsCountersExact() {
        let model = makeModel(FlagServerConfiguration(journalEntryLimit: 10))
        for index in 0..<25 { _ = model.handle(host: "a.example", at: at(.milliseconds(index))) }
        #expect(model.journal().count == 10)
        #expect(model.statistics().requests == 25)
        #expect(model.statistics().droppedJournalEntries == 15)
        #expect(model.statistics().hosts["a.example"]?.requests == 25)
    }

    @Test func sameSeedGivesTheSameJournalAndAnotherSeedDoesNot() {
        func run(seed: UInt64) -> ([FlagServerJournalEntry], [FlagServerDecision]) {
            var configuration = FlagServerConfiguration(
                seed: seed,
                latency: .bimodal(base: .logNormal(median: .milliseconds(30), p99: .milliseconds(300)),
                                  stallProbability: 0.05, stall: .seconds(5)),
                faults: [FlagServerFault(.status(503, retryAfterSeconds: 2), probability: 0.1),
                         FlagServerFault(.reset, probability: 0.05),
                         FlagServerFault(.hang, probability: 0.02)])
            configuration.rateLimits = FlagServerRateLimits(perHost: FlagServerRateLimit(requests: 5, per: .seconds(1)))
            let model = makeModel(configuration)
            let decisions = (0..<500).map { model.handle(host: "h\($0 % 7).example", at: at(.milliseconds(20 * $0))) }
            return (model.journal(), decisions)
        }
        let first = run(seed: 1234)
        let again = run(seed: 1234)
        let other = run(seed: 1235)
        #expect(first.0.count == 500)
        #expect(first.0 == again.0)
        #expect(first.1 == again.1)
        #expect(first.0 != other.0)
    }
}
