import FeatureFlags
import FlagServer
import Testing

@Suite struct InMemoryFlagTransportTests {
    private func transport(_ configuration: FlagServerConfiguration, clock: ManualFlagClock,
                           flagName: String = FlagServerConfiguration.defaultFlagName) -> InMemoryFlagTransport {
        InMemoryFlagTransport(model: FlagServerModel(configuration: configuration, start: clock.now()),
                              clock: clock, flagName: flagName)
    }

    private func failure(of fault: FlagServerFaultKind) async -> FlagFetchError? {
        let clock = ManualFlagClock()
        let transport = transport(FlagServerConfiguration(faults: [FlagServerFault(fault, probability: 1)]), clock: clock)
        let error = await #expect(throws: FlagFetchError.self) {
            try await transport.fetchFlag(for: HostKey("a.example"))
        }
        #expect(transport.model.statistics().inFlight == 0)
        return error
    }

    @Test func answerArrivesAfterTheLatencyOnTheInjectedClock() async throws {
        let clock = ManualFlagClock()
        let transport = transport(FlagServerConfiguration(latency: .fixed(.milliseconds(50))), clock: clock)
        let start = clock.now()
        let fetch = Task { try await transport.fetchFlag(for: HostKey("https://A.example/")) }
        await clock.waitForSleepers(atLeast: 1)
        #expect(transport.model.statistics().inFlight == 1)
        clock.advance(by: .milliseconds(49))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(try await fetch.value == FlagFetchResult(enabled: true, ttl: .seconds(900)))
        let entry = try #require(transport.model.journal().first)
        #expect(entry.host == "a.example")
        #expect(entry.arrival == start)
        #expect(entry.latency == .milliseconds(50))
        #expect(transport.model.statistics().inFlight == 0)
    }

    @Test func statusBecomesHTTPStatusErrorWithRetryAfter() async {
        let error = await failure(of: .status(503, retryAfterSeconds: 5))
        #expect(error?.kind == .httpStatus(503))
        #expect(error?.retryAfter == .seconds(5))
        let plain = await failure(of: .status(500))
        #expect(plain?.kind == .httpStatus(500))
        #expect(plain?.retryAfter == nil)
    }

    @Test func rateLimitBecomes429WithRetryAfter() async throws {
        let clock = ManualFlagClock()
        let transport = transport(FlagServerConfiguration(rateLimits: FlagServerRateLimits(
            perHost: FlagServerRateLimit(requests: 1, per: .seconds(30)))), clock: clock)
        _ = try await transport.fetchFlag(for: HostKey("a.example"))
        let error = await #expect(throws: FlagFetchError.self) {
            try await transport.fetchFlag(for: HostKey("a.example"))
        }
        #expect(error?.kind == .httpStatus(429))
        #expect(error?.retryAfter == .seconds(30))
    }

    @Test func emptyAndMalformedBodiesAreInvalidResponses() async {
        #expect(await failure(of: .emptyBody)?.kind == .invalidResponse)
        #expect(await failure(of: .malformedJSON)?.kind == .invalidResponse)
    }

    @Test func resetIsATransportError() async {
        #expect(await failure(of: .reset)?.kind == .transport)
    }

    @Test func slowBodyAnswersAfterLatencyPlusBodyDuration() async throws {
        let clock = ManualFlagClock()
        let transport = transport(FlagServerConfiguration(
            defaultHost: FlagHostProfile(truth: .constant(false), ttlSpelling: .none),
            latency: .fixed(.milliseconds(100)),
            faults: [FlagServerFault(.slowBody(.seconds(2)), probability: 1)]), clock: clock)
        let fetch = Task { try await transport.fetchFlag(for: HostKey("a.example")) }
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .milliseconds(2_099))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        #expect(try await fetch.value == FlagFetchResult(enabled: false, ttl: nil))
        #expect(transport.model.journal().first?.outcome == .slowBody(false, duration: .seconds(2)))
    }

    @Test func hangWaitsUntilCancelled() async {
        let clock = ManualFlagClock()
        let transport = transport(FlagServerConfiguration(faults: [FlagServerFault(.hang, probability: 1)]), clock: clock)
        let fetch = Task { try await transport.fetchFlag(for: HostKey("a.example")) }
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(86_400))
        #expect(clock.sleeperCount == 1)
        #expect(transport.model.statistics().inFlight == 1)
        fetch.cancel()
        await #expect(throws: CancellationError.self) { try await fetch.value }
        #expect(transport.model.statistics().inFlight == 0)
        #expect(transport.model.journal().first?.outcome == .hang)
    }

    @Test func cancellationDuringTheLatencyEndsTheRequest() async {
        let clock = ManualFlagClock()
        let transport = transport(FlagServerConfiguration(latency: .fixed(.seconds(1))), clock: clock)
        let fetch = Task { try await transport.fetchFlag(for: HostKey("a.example")) }
        await clock.waitForSleepers(atLeast: 1)
        fetch.cancel()
        await #expect(throws: CancellationError.self) { try await fetch.value }
        #expect(transport.model.statistics().inFlight == 0)
    }

    @Test func answerNamingAnotherFlagReadsAsOff() async throws {
        let clock = ManualFlagClock()
        let transport = transport(FlagServerConfiguration(), clock: clock, flagName: "some.other.flag")
        #expect(try await transport.fetchFlag(for: HostKey("a.example")) == FlagFetchResult(enabled: false, ttl: .seconds(900)))
    }

    @Test func flipsAreSeenAsVirtualTimePasses() async throws {
        let clock = ManualFlagClock()
        let transport = transport(FlagServerConfiguration(defaultHost: FlagHostProfile(
            truth: .schedule(initial: true, flips: [FlagFlip(at: .seconds(900), value: false)]),
            ttlSpelling: .camelCase)), clock: clock)
        #expect(try await transport.fetchFlag(for: HostKey("a.example")).enabled)
        clock.advance(by: .seconds(900))
        #expect(try await !transport.fetchFlag(for: HostKey("a.example")).enabled)
        #expect(transport.model.truth(host: "a.example", at: clock.now()) == false)
    }
}
