import FeatureFlags
import Testing
@testable import FlagServer

/// The model's run-time surface: stray requests, fault-plan changes, served latency statistics.
@Suite struct FlagServerModelRuntimeTests {
    private let plan = [FlagServerFault(.status(503), probability: 0.3), FlagServerFault(.reset, probability: 0.2)]

    private func flagOutcomes(_ model: FlagServerModel) -> [FlagServerOutcome] {
        model.journal().map(\.outcome).filter { $0.kind != .notFound }
    }

    @Test func unroutableRequestIsJournalledAs404WithoutShiftingTheDraws() {
        let plain = makeModel(FlagServerConfiguration(seed: 3, faults: plan))
        let stray = makeModel(FlagServerConfiguration(seed: 3, faults: plan))
        for index in 0..<200 {
            _ = plain.handle(host: "a.example", at: at(.milliseconds(index)))
            if index % 10 == 0 {
                stray.recordUnroutable(path: "/nope", host: "A.example:443", at: at(.milliseconds(index)))
            }
            _ = stray.handle(host: "a.example", at: at(.milliseconds(index)))
        }
        #expect(flagOutcomes(plain) == flagOutcomes(stray))
        let statistics = stray.statistics()
        #expect(statistics[.notFound] == 20)
        #expect(statistics.requests == 220)
        #expect(statistics.inFlight == 200, "a 404 is never in flight")
        let first = stray.journal().first
        #expect(first?.outcome == .notFound(path: "/nope"))
        #expect(first?.host == "a.example")
    }

    @Test func sameSeedGivesTheSameJournalWhenThePlanIsNotReplaced() {
        let first = makeModel(FlagServerConfiguration(seed: 9, faults: plan))
        let second = makeModel(FlagServerConfiguration(seed: 9, faults: []))
        second.replaceFaults(plan)  // before any request: the same run
        for index in 0..<500 {
            _ = first.handle(host: "h\(index % 7).example", at: at(.milliseconds(index)))
            _ = second.handle(host: "h\(index % 7).example", at: at(.milliseconds(index)))
        }
        #expect(first.journal() == second.journal())
        #expect(first.journal().contains { $0.outcome == .reset })
    }

    @Test func replacedPlanAppliesFromTheNextRequestAndKeepsTheDrawsAligned() {
        let model = makeModel(FlagServerConfiguration(seed: 5, latency: .uniform(min: .zero, max: .milliseconds(10))))
        let reference = makeModel(FlagServerConfiguration(seed: 5, latency: .uniform(min: .zero, max: .milliseconds(10))))
        for index in 0..<10 {
            #expect(model.handle(host: "a.example", at: at(.seconds(index))).action != .reset)
            _ = reference.handle(host: "a.example", at: at(.seconds(index)))
        }
        let previous = model.replaceFaults([FlagServerFault(.reset, probability: 1, hosts: ["A.Example"])])
        #expect(previous.isEmpty)
        #expect(model.faults() == [FlagServerFault(.reset, probability: 1, hosts: ["a.example"])])
        #expect(model.handle(host: "a.example", at: at(.seconds(10))).action == .reset)
        #expect(model.handle(host: "b.example", at: at(.seconds(11))).action != .reset)
        _ = reference.handle(host: "a.example", at: at(.seconds(10)))
        _ = reference.handle(host: "b.example", at: at(.seconds(11)))
        // Same latencies drawn as without the change: the plan does not consume extra randomness.
        #expect(model.journal().map(\.latency) == reference.journal().map(\.latency))
    }

    @Test func servedLogNormalLatencyHasItsMedianWithinTenPercentOver2000Requests() {
        let median = Duration.milliseconds(2)
        let model = makeModel(FlagServerConfiguration(
            seed: 21, latency: .logNormal(median: median, p99: .milliseconds(20))))
        for index in 0..<2_000 {
            let decision = model.handle(host: "h\(index % 50).example", at: at(.milliseconds(index)))
            model.finish(decision)
        }
        let served = model.journal().compactMap(\.latency).sorted()
        #expect(served.count == 2_000)
        let observed = served[served.count / 2]
        #expect(observed > median * 0.9 && observed < median * 1.1, "median \(observed)")
        let p99 = served[served.count * 99 / 100]
        #expect(p99 > .milliseconds(16) && p99 < .milliseconds(24), "p99 \(p99)")
        #expect(model.statistics().inFlight == 0)
    }

    @Test func journalKeepsArrivalOrderAcrossItsChunks() {
        let model = makeModel()
        let requests = FlagServerJournalStorage.chunkSize * 2 + 5
        for index in 0..<requests { _ = model.handle(host: "h\(index % 3).example", at: at(.microseconds(index))) }
        let journal = model.journal()
        #expect(journal.count == requests)
        #expect(journal.map(\.requestID) == Array(0..<requests))
        #expect(journal.last?.arrival == at(.microseconds(requests - 1)))
        // The recent tail crosses a chunk boundary backwards and filters by host.
        let tail = model.recentJournal(limit: 4, host: "H1.example")
        #expect(tail.map(\.requestID) == [requests - 12, requests - 9, requests - 6, requests - 3])
        #expect(tail.allSatisfy { $0.host == "h1.example" })
        #expect(model.recentJournal(limit: 3).map(\.requestID) == Array((requests - 3)..<requests))
        #expect(model.recentJournal(limit: 0).isEmpty)
    }

    @Test func summaryListsTotalsOutcomes429sAndTheBusiestHosts() {
        let model = makeModel(FlagServerConfiguration(rateLimits: FlagServerRateLimits(
            perHost: FlagServerRateLimit(requests: 2, per: .seconds(60)))))
        for index in 0..<5 { _ = model.handle(host: "busy.example", at: at(.seconds(index))) }
        _ = model.handle(host: "quiet.example", at: at(.seconds(1)))
        let text = model.statistics().summaryText(topHosts: 1)
        #expect(text.contains("requests: 6 (in flight: 6, peak in flight: 6)"))
        #expect(text.contains("outcomes: ok 3, rate_limited 3"))
        #expect(text.contains("429s from rate limits: 3"))
        #expect(text.contains("peak per-host rate: 5 requests/minute (busy.example)"))
        #expect(text.contains("hosts: 2; top 1 by requests:"))
        #expect(text.contains("busy.example  requests 5  429s 3  peak/min 5"))
        #expect(!text.contains("quiet.example"))
    }
}
