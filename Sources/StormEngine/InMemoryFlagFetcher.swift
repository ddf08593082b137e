import FeatureFlags
import Synchronization

/// An in-memory stand-in for the flag endpoint, for the built-in weakness
/// demonstrations: it answers from a script after a latency on the given clock
/// and counts every request it receives (its count plays the server journal's part).
///
/// Named as a fake on purpose: realtime scenarios use the real HTTP fetcher
/// against the fake HTTP server; this exists so a demonstration can run in
/// virtual time and exactly reproduce an interleaving.
public final class InMemoryFlagFetcher: FlagFetcher {
    /// What the endpoint answers to one request.
    public enum Reply: Sendable {
        /// HTTP 200 with this flag value and advertised TTL.
        case value(Bool, ttl: Duration? = nil)
        /// A failure the fetcher throws.
        case failure(any Error)
    }

    private let requests = Atomic<Int>(0)
    private let clock: any FlagClock
    private let latency: Duration
    private let script: @Sendable (_ requestIndex: Int) -> Reply

    /// Creates a fetcher answering `script(requestIndex)` after `latency` on `clock`.
    public init(clock: any FlagClock, latency: Duration = .zero,
                script: @escaping @Sendable (_ requestIndex: Int) -> Reply) {
        self.clock = clock
        self.latency = latency
        self.script = script
    }

    public func fetchFlag(for host: HostKey) async throws -> FlagFetchResult {
        let index = requests.wrappingAdd(1, ordering: .relaxed).oldValue
        if latency > .zero { try await clock.sleep(until: clock.now() + latency) }
        switch script(index) {
        case .value(let enabled, let ttl): return FlagFetchResult(enabled: enabled, ttl: ttl)
        case .failure(let error): throw error
        }
    }

    /// Requests received so far.
    public var requestCount: Int { requests.load(ordering: .relaxed) }
}
