import FeatureFlags

/// A ``FeatureFlags/FlagFetcher`` that asks a ``FlagServerModel`` directly, waiting its latency on an injected clock.
///
/// Why: simulated runs need the fake server without sockets, with latency as
/// virtual time (a ``FeatureFlags/ManualFlagClock`` or the simulation's clock),
/// and with exactly the results and errors the HTTP fetcher would produce
/// against the NIO front end for the same decision:
/// - 200 with the flag JSON → ``FeatureFlags/FlagFetchResult`` (value `"true"` for the
///   expected flag name; TTL when positive and present);
/// - any other status → ``FeatureFlags/FlagFetchError/Kind/httpStatus(_:)`` with `Retry-After`;
/// - an empty or malformed 200 body → ``FeatureFlags/FlagFetchError/Kind/invalidResponse``;
/// - a reset → ``FeatureFlags/FlagFetchError/Kind/transport``;
/// - a hang → sleeps until the calling task is cancelled (`CancellationError`);
/// - a slow body → the value, after the latency plus the body's duration.
///
/// Unlike the HTTP fetcher it has no timeout of its own: the cache's fetch
/// timeout (or the caller's cancellation) bounds a hang.
public final class InMemoryFlagTransport: FlagFetcher {
    /// The model answering the requests.
    public let model: FlagServerModel
    /// The flag name the client reads (an answer naming another flag reads as off, as over HTTP).
    public let flagName: String
    private let clock: any FlagClock

    /// Creates a transport to `model`, waiting on `clock`, reading `flagName`.
    public init(model: FlagServerModel, clock: any FlagClock,
                flagName: String = FlagServerConfiguration.defaultFlagName) {
        self.model = model
        self.clock = clock
        self.flagName = flagName
    }

    /// Asks the model for `host`'s flag (see the type's documentation for the outcomes).
    public func fetchFlag(for host: HostKey) async throws -> FlagFetchResult {
        try Task.checkCancellation()
        let arrival = clock.now()
        let decision = model.handle(host: host.normalized, at: arrival)
        // Whatever happens next (answer, error, cancellation), the exchange ends here.
        defer { model.finish(decision) }

        switch decision.action {
        case .hang:
            try await clock.sleep(until: FlagInstant(nanoseconds: .max))
            // Only a clock that reaches the end of time gets here.
            throw FlagFetchError(.timeout, message: "the server never answered")
        case .reset:
            try await wait(until: arrival + decision.latency)
            throw FlagFetchError(.transport, message: "connection reset by peer")
        case .respond(let response):
            try await wait(until: arrival + decision.latency)
            return try Self.result(of: response, flagName: flagName)
        case .slowBody(let response, let duration):
            try await wait(until: arrival + decision.latency + duration)
            return try Self.result(of: response, flagName: flagName)
        }
    }

    private func wait(until deadline: FlagInstant) async throws {
        if deadline > clock.now() {
            try await clock.sleep(until: deadline)
        } else {
            try Task.checkCancellation()
        }
    }

    /// Maps an answer to what the HTTP fetcher would return or throw for it.
    static func result(of response: FlagServerResponse, flagName: String) throws -> FlagFetchResult {
        guard response.status == 200 else {
            // The HTTP fetcher clamps Retry-After to one day.
            let retryAfter = response.retryAfterSeconds.map { Duration.seconds(min(max($0, 0), 86_400)) }
            throw FlagFetchError(.httpStatus(response.status), retryAfter: retryAfter, message: response.bodyText)
        }
        switch response.content {
        case .flags(let name, let enabled, let ttlSeconds):
            // The HTTP fetcher clamps a TTL to 1e9 seconds.
            return FlagFetchResult(enabled: name == flagName && enabled, ttl: ttlSeconds.map { .seconds(min($0, 1_000_000_000)) })
        case .empty, .malformed, .error:
            throw FlagFetchError(.invalidResponse, message: "undecodable flag response")
        }
    }
}
