import AsyncHTTPClient
import FeatureFlags
import FeatureFlagsHTTP
import NIOCore
import NIOPosix
import Testing
@testable import FlagServer

/// The ``FeatureFlags/FlagFetchError`` that `operation` throws, recording an issue otherwise.
private func fetchError(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: () async throws -> FlagFetchResult
) async -> FlagFetchError? {
    do {
        let result = try await operation()
        Issue.record("expected a FlagFetchError, got \(result)", sourceLocation: sourceLocation)
    } catch let error as FlagFetchError {
        return error
    } catch {
        Issue.record("expected a FlagFetchError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}

@Suite struct FlagHTTPServerTests {
    private let host = HostKey("a.example")

    // MARK: Normal answers

    @Test func answersTheFlagJSONOverKeepAliveAndTheFetcherReadsIt() async throws {
        try await withServer { harness async throws in
            let raw = try await harness.request()
            #expect(raw.status == 200)
            #expect(raw.body == flagBody(true))
            #expect(raw.headers.first(name: "Content-Length") == String(flagBody(true).utf8.count))
            #expect(raw.headers.first(name: "Content-Type") == "application/json")
            let result = try await harness.fetcher().fetchFlag(for: host)
            #expect(result == FlagFetchResult(enabled: true, ttl: .seconds(900)))
            #expect(harness.model.journal().map(\.outcome) == [.ok(true), .ok(true)])
            #expect(harness.model.statistics().inFlight == 0)
        }
    }

    @Test func bothTTLSpellingsReachTheFetcher() async throws {
        let configuration = FlagServerConfiguration(hosts: [
            "snake.example": FlagHostProfile(ttlSeconds: 30, ttlSpelling: .snakeCase),
            "camel.example": FlagHostProfile(ttlSeconds: 45, ttlSpelling: .camelCase),
        ])
        try await withServer(configuration) { harness async throws in
            let snake = try await harness.request(host: "snake.example")
            #expect(snake.body.contains(#""ttl_seconds":30"#))
            #expect(!snake.body.contains("ttlSeconds"))
            let camel = try await harness.request(host: "camel.example")
            #expect(camel.body.contains(#""ttlSeconds":45"#))
            #expect(!camel.body.contains("ttl_seconds"))
            let fetcher = harness.fetcher()
            #expect(try await fetcher.fetchFlag(for: HostKey("snake.example")).ttl == .seconds(30))
            #expect(try await fetcher.fetchFlag(for: HostKey("camel.example")).ttl == .seconds(45))
        }
    }

    @Test func flagFlipsOverTimeOnTheInjectedClock() async throws {
        let clock = ManualFlagClock()
        let configuration = FlagServerConfiguration(defaultHost: FlagHostProfile(
            truth: .schedule(initial: true, flips: [FlagFlip(at: .seconds(10), value: false),
                                                    FlagFlip(at: .seconds(20), value: true)])))
        try await withServer(configuration, clock: clock) { harness async throws in
            let fetcher = harness.fetcher()
            #expect(try await fetcher.fetchFlag(for: host).enabled)
            clock.advance(by: .seconds(10))
            #expect(try await fetcher.fetchFlag(for: host).enabled == false)
            clock.advance(by: .seconds(9))
            #expect(try await fetcher.fetchFlag(for: host).enabled == false)
            clock.advance(by: .seconds(1))
            #expect(try await fetcher.fetchFlag(for: host).enabled)
            #expect(harness.model.journal().map(\.outcome) == [.ok(true), .ok(false), .ok(false), .ok(true)])
        }
    }

    @Test func routesByHostForAThousandHostsAndJournalsEveryRequest() async throws {
        var profiles: [String: FlagHostProfile] = [:]
        for index in stride(from: 0, to: 1_000, by: 3) {
            profiles["h\(index).example"] = FlagHostProfile(truth: .constant(false))
        }
        try await withServer(FlagServerConfiguration(hosts: profiles)) { harness async throws in
            let fetcher = harness.fetcher()
            let results = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                var results: [Int: Bool] = [:]
                var next = 0
                func add() {
                    let index = next
                    next += 1
                    group.addTask { (index, try await fetcher.fetchFlag(for: HostKey("H\(index).Example")).enabled) }
                }
                for _ in 0..<16 { add() }
                while let (index, enabled) = try await group.next() {
                    results[index] = enabled
                    if next < 1_000 { add() }
                }
                return results
            }
            #expect(results.count == 1_000)
            for index in 0..<1_000 {
                #expect(results[index] == (index % 3 != 0), "h\(index).example")
            }
            let statistics = harness.model.statistics()
            #expect(statistics.requests == 1_000)
            #expect(harness.model.journal().count == 1_000)
            #expect(statistics.hosts.count == 1_000)
            #expect(statistics.hosts.values.allSatisfy { $0.requests == 1 })
            #expect(statistics.inFlight == 0)
        }
    }

    @Test func hostHeaderPortIsIgnoredForRouting() async throws {
        let configuration = FlagServerConfiguration(hosts: ["b.example": FlagHostProfile(truth: .constant(false))])
        try await withServer(configuration) { harness async throws in
            let raw = try await harness.request(host: "B.example:8443")
            #expect(raw.body == flagBody(false))
            #expect(harness.model.journal().map(\.host) == ["b.example"])
        }
    }

    // MARK: Faults

    @Test func statusFaultsAnswer503WithRetryAfterAnd500Without() async throws {
        try await withServer(always(.status(503, retryAfterSeconds: 7))) { harness async throws in
            let raw = try await harness.request()
            #expect(raw.status == 503)
            #expect(raw.retryAfter == "7")
            let error = await fetchError { try await harness.fetcher().fetchFlag(for: host) }
            #expect(error?.kind == .httpStatus(503))
            #expect(error?.retryAfter == .seconds(7))

            harness.model.replaceFaults([FlagServerFault(.status(500), probability: 1)])
            let plain = try await harness.request()
            #expect(plain.status == 500)
            #expect(plain.retryAfter == nil)
            let plainError = await fetchError { try await harness.fetcher().fetchFlag(for: host) }
            #expect(plainError?.kind == .httpStatus(500))
            #expect(plainError?.retryAfter == nil)
            #expect(harness.model.journal().map(\.outcome)
                == [.status(503), .status(503), .status(500), .status(500)])
        }
    }

    @Test func hangNeverAnswersSoTheFetcherTimesOut() async throws {
        try await withServer(always(.hang)) { harness async throws in
            let error = await fetchError { try await harness.fetcher(timeout: .milliseconds(200)).fetchFlag(for: host) }
            #expect(error?.kind == .timeout)
            #expect(harness.model.journal().map(\.outcome) == [.hang])
        }
    }

    @Test func hungRequestIsFinishedOnceItsConnectionCloses() async throws {
        try await withServer(always(.hang)) { harness async throws in
            let error = await fetchError { try await harness.fetcher(timeout: .milliseconds(100)).fetchFlag(for: host) }
            #expect(error?.kind == .timeout)
            // Whether the client already closed or shutdown closes it, the hang ends in the model.
            try await harness.server.shutdown()
            #expect(harness.model.statistics().inFlight == 0)
            #expect(harness.model.statistics().peakInFlight == 1)
        }
    }

    @Test func resetIsATransportErrorForTheFetcherAndThePlainClient() async throws {
        try await withServer(always(.reset)) { harness async throws in
            let error = await fetchError { try await harness.fetcher().fetchFlag(for: host) }
            #expect(error?.kind == .transport)
            await #expect(throws: (any Error).self) { try await harness.request() }
            #expect(harness.model.journal().map(\.outcome) == [.reset, .reset])
            #expect(harness.model.statistics().inFlight == 0)
        }
    }

    @Test func emptyBodyAndMalformedJSONAreInvalidResponses() async throws {
        try await withServer(always(.emptyBody)) { harness async throws in
            let raw = try await harness.request()
            #expect(raw.status == 200)
            #expect(raw.body.isEmpty)
            #expect(raw.headers.first(name: "Content-Length") == "0")
            let error = await fetchError { try await harness.fetcher().fetchFlag(for: host) }
            #expect(error?.kind == .invalidResponse)

            harness.model.replaceFaults([FlagServerFault(.malformedJSON, probability: 1)])
            let malformed = try await harness.request()
            #expect(malformed.status == 200)
            #expect(malformed.body.hasPrefix(#"{"flags":"#))
            #expect(!malformed.body.hasSuffix("}"))
            let malformedError = await fetchError { try await harness.fetcher().fetchFlag(for: host) }
            #expect(malformedError?.kind == .invalidResponse)
        }
    }

    @Test func slowBodySendsTheHeadAtOnceAndTheBodyAfterTheDelay() async throws {
        // Three seconds: long enough that the head arrives well before the body even under
        // ThreadSanitizer on a busy machine (with one second, a loaded TSan run once missed it).
        try await withServer(always(.slowBody(.seconds(3)))) { harness async throws in
            let clock = ContinuousClock()
            let start = clock.now
            var request = HTTPClientRequest(url: harness.server.baseURL + "/api/2.0/connector-service/feature-flags/GOLANG/1")
            request.headers.add(name: "Host", value: "a.example")
            let response = try await harness.client.execute(request, timeout: .seconds(5))
            #expect(response.status == .ok)
            // The head is here while the body is still held back: the request is not finished yet.
            #expect(harness.model.statistics().inFlight == 1)
            let body = try await response.body.collect(upTo: 1 << 20)
            #expect(clock.now - start >= .seconds(3))
            #expect(String(buffer: body) == flagBody(true))
            #expect(harness.model.statistics().inFlight == 0)

            // The fetcher's deadline covers the body too.
            let error = await fetchError { try await harness.fetcher(timeout: .milliseconds(100)).fetchFlag(for: host) }
            #expect(error?.kind == .timeout)
            #expect(harness.model.journal().map(\.outcome).allSatisfy { $0 == .slowBody(true, duration: .seconds(3)) })
        }
    }

    // MARK: Latency

    @Test func fixedLatencyIsWaitedBeforeTheAnswer() async throws {
        try await withServer(FlagServerConfiguration(latency: .fixed(.milliseconds(100)))) { harness async throws in
            let clock = ContinuousClock()
            let elapsed = try await clock.measure { _ = try await harness.fetcher().fetchFlag(for: host) }
            #expect(elapsed >= .milliseconds(100))
            #expect(harness.model.journal().first?.latency == .milliseconds(100))
        }
    }

    @Test func logNormalLatencyIsServedAsTheJournalSays() async throws {
        let shape = LatencyDistribution.logNormal(median: .milliseconds(2), p99: .milliseconds(20))
        try await withServer(FlagServerConfiguration(seed: 11, latency: shape)) { harness async throws in
            let fetcher = harness.fetcher()
            let clock = ContinuousClock()
            var observed: [Duration] = []
            for _ in 0..<100 {
                observed.append(try await clock.measure { _ = try await fetcher.fetchFlag(for: host) })
            }
            let served = harness.model.journal().compactMap(\.latency)
            #expect(served.count == 100)
            // Sequential requests: each took at least the latency the model drew for it.
            for (seen, drawn) in zip(observed, served) {
                #expect(seen >= drawn, "observed \(seen) < served \(drawn)")
            }
            // And the draws are the seeded sampler's, in order.
            var generator = SeededRandomGenerator(seed: 11)
            let expected = (0..<100).map { _ -> Duration in
                _ = generator.nextUnitDouble()  // the fault draw
                return shape.sample(using: &generator)
            }
            #expect(served == expected)
        }
    }

    // MARK: Rate limits

    @Test func burstOverThePerHostLimitGetsExactly429sWithRetryAfter() async throws {
        let clock = ManualFlagClock()
        let configuration = FlagServerConfiguration(rateLimits: FlagServerRateLimits(
            perHost: FlagServerRateLimit(requests: 5, per: .seconds(60))))
        try await withServer(configuration, clock: clock) { harness async throws in
            var statuses: [Int] = []
            var retryAfters: [String?] = []
            for _ in 0..<8 {
                let raw = try await harness.request()
                statuses.append(raw.status)
                retryAfters.append(raw.retryAfter)
            }
            #expect(statuses == [200, 200, 200, 200, 200, 429, 429, 429])
            #expect(retryAfters.suffix(3) == ["12", "12", "12"])
            // Another host has its own bucket.
            #expect(try await harness.request(host: "other.example").status == 200)
            #expect(harness.model.statistics()[.rateLimited] == 3)
            clock.advance(by: .seconds(12))
            #expect(try await harness.request().status == 200)
        }
    }

    @Test func recommendedPolicyHonoursTheServersRetryAfter() async throws {
        // One clock for the server and the cache: no real waiting, exact instants.
        let clock = ManualFlagClock()
        let configuration = FlagServerConfiguration(
            defaultHost: FlagHostProfile(ttlSeconds: 10),
            rateLimits: FlagServerRateLimits(perHost: FlagServerRateLimit(requests: 1, per: .seconds(120))))
        try await withServer(configuration, clock: clock) { harness async throws in
            let cache = FeatureFlagCache(policy: .recommended, fetcher: harness.fetcher(), clock: clock)
            let lease = cache.acquire(host)
            defer { lease.release() }
            #expect(try await lease.isEnabled())
            #expect(harness.model.statistics().requests == 1)

            // Expired: the refresh meets the limiter (11 s of 120 s refilled): 429, Retry-After 109.
            clock.advance(by: .seconds(11))
            #expect(try await lease.isEnabled(), "stale value while refreshing")
            await cache.shutdown()
            let journal = harness.model.journal()
            #expect(journal.map(\.outcome) == [.ok(true), .rateLimited(retryAfterSeconds: 109)])

            // Not before Retry-After.
            for step in [1, 50, 57] {
                clock.advance(by: .seconds(step))
                #expect(try await lease.isEnabled())
                await cache.shutdown()
                #expect(harness.model.statistics().requests == 2, "refetched before Retry-After")
            }
            // At Retry-After (109 s after the 429) the bucket is full again and the refetch succeeds.
            clock.advance(by: .seconds(1))
            #expect(try await lease.isEnabled())
            await cache.shutdown()
            #expect(harness.model.journal().map(\.outcome) == [.ok(true), .rateLimited(retryAfterSeconds: 109), .ok(true)])
        }
    }

    // MARK: Unknown paths, bad ports

    @Test func unknownPathGets404AndIsJournalled() async throws {
        try await withServer { harness async throws in
            let raw = try await harness.request("/api/2.0/flags?x=1", host: "c.example:443")
            #expect(raw.status == 404)
            #expect(raw.body.contains("/api/2.0/flags"))
            let tooDeep = try await harness.request("/api/2.0/connector-service/feature-flags/GOLANG/1/extra")
            #expect(tooDeep.status == 404)
            let journal = harness.model.journal()
            #expect(journal.map(\.outcome) == [.notFound(path: "/api/2.0/flags"),
                                               .notFound(path: "/api/2.0/connector-service/feature-flags/GOLANG/1/extra")])
            #expect(journal.first?.host == "c.example")
            #expect(harness.model.statistics()[.notFound] == 2)
        }
    }

    @Test func portInUseIsReportedAsSuch() async throws {
        try await withServer { harness async throws in
            let model = FlagServerModel(configuration: FlagServerConfiguration(), start: .zero)
            await #expect(throws: FlagHTTPServerError.portInUse(host: "127.0.0.1", port: harness.server.port)) {
                _ = try await FlagHTTPServer.start(model: model, port: harness.server.port)
            }
        }
    }

    // MARK: Admin

    @Test func adminReportsStatsAndJournalAndReplacesFaults() async throws {
        try await withServer { harness async throws in
            _ = try await harness.request(host: "a.example")
            _ = try await harness.request(host: "a.example")
            _ = try await harness.request(host: "b.example")

            let stats = try await harness.request("/_flagstorm/stats", host: nil)
            #expect(stats.status == 200)
            #expect(stats.body.hasPrefix(#"{"requests":3,"in_flight":0,"#))
            #expect(stats.body.contains(#""a.example":{"requests":2,"peak_requests_per_minute":2,"outcomes":{"ok":2}}"#))

            let journal = try await harness.request("/_flagstorm/journal?host=a.example&limit=1", host: nil)
            let lines = journal.body.split(separator: "\n")
            #expect(lines.count == 1)
            #expect(lines.first?.hasPrefix(#"{"id":1,"host":"a.example","#) == true)

            let replaced = try await harness.request("/_flagstorm/faults", host: nil, method: .PUT, body: "503:retry=3@1\n")
            #expect(replaced.status == 200)
            #expect(try await harness.request().status == 503)
            let plan = try await harness.request("/_flagstorm/faults", host: nil)
            #expect(plan.body == "503:retry=3@1.0\n")

            let bad = try await harness.request("/_flagstorm/faults", host: nil, method: .PUT, body: #"["hang@0.1","teapot@0.1"]"#)
            #expect(bad.status == 400)
            #expect(bad.body.contains(#""token":"teapot""#))
            #expect(try await harness.request().status == 503, "a rejected plan leaves the old one in force")

            let cleared = try await harness.request("/_flagstorm/faults", host: nil, method: .PUT, body: "")
            #expect(cleared.status == 200)
            #expect(try await harness.request().status == 200)
            // Admin requests are not journalled; flag requests are.
            #expect(harness.model.statistics().requests == 6)
        }
    }
}
