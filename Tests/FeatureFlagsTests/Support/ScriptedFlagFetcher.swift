@testable import FeatureFlags

/// In-memory fake of the flag endpoint, for deterministic unit tests only
/// (the HTTP fetcher is tested against a real server in FeatureFlagsHTTPTests).
///
/// Each call is counted when it arrives, like a server's journal would, then
/// waits `latency` on the test's ``ManualFlagClock`` and answers what `script`
/// says for that call.
final class ScriptedFlagFetcher: FlagFetcher {
    enum Reply: Sendable {
        case value(Bool, ttl: Duration? = nil)
        case failure(any Error)
    }

    typealias Script = @Sendable (_ host: HostKey, _ callIndex: Int) -> Reply

    private let calls = Locked<[HostKey]>([])
    private let clock: ManualFlagClock?
    private let latency: Duration
    private let script: Script

    init(clock: ManualFlagClock? = nil, latency: Duration = .zero, script: @escaping Script) {
        self.clock = clock
        self.latency = latency
        self.script = script
    }

    /// A fetcher that always answers `enabled`.
    convenience init(clock: ManualFlagClock? = nil, latency: Duration = .zero, enabled: Bool) {
        self.init(clock: clock, latency: latency) { _, _ in .value(enabled) }
    }

    func fetchFlag(for host: HostKey) async throws -> FlagFetchResult {
        let index = calls.withLock { calls in
            calls.append(host)
            return calls.count - 1
        }
        if latency > .zero, let clock {
            try await clock.sleep(until: clock.now() + latency)
        }
        switch script(host, index) {
        case .value(let enabled, let ttl): return FlagFetchResult(enabled: enabled, ttl: ttl)
        case .failure(let error): throw error
        }
    }

    /// Fetches received so far.
    var fetchCount: Int { calls.withLock { $0.count } }
    /// The raw spelling of each fetched host, in arrival order.
    var fetchedHosts: [String] { calls.withLock { $0.map(\.raw) } }
}

/// Runs `count` concurrent tasks and collects their results (order not kept).
func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) async -> T) async -> [T] {
    await withTaskGroup(of: T.self) { group in
        for index in 0..<count { group.addTask { await body(index) } }
        var results: [T] = []
        results.reserveCapacity(count)
        for await result in group { results.append(result) }
        return results
    }
}
