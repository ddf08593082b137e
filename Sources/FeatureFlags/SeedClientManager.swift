/// The `seed` policy's client manager: the Go reference design, weaknesses included.
///
/// - Keyed by ``HostKey/goNormalized(_:)`` (lower-case, scheme and trailing
///   slash stripped), unlike the seed flag cache, which keys by the raw host (W3).
/// - The client is built and started while the global lock is held, so a slow
///   start blocks every host (W5).
/// - Release is per host; at zero or below the entry is deleted under the lock
///   and the client is closed outside it, so a double release closes a client
///   others still use (W4), and an acquire during that close builds a second
///   live client for the host (W6).
/// - `shutdown()` closes every client while holding the lock.
final class SeedClientManager: Sendable {
    struct Holder {
        let client: any TelemetryClient
        var references: Int
    }

    struct State {
        var holders: [String: Holder] = [:]
        var clientsStarted: UInt64 = 0
        var clientsClosed: UInt64 = 0
        var startFailures: UInt64 = 0
    }

    let factory: TelemetryClientFactory
    /// The Go code's global mutex, which it held across `start()`.
    private let gate = AsyncSerialGate(name: "clientManager.registry")
    /// The map itself. Only touched while `gate` is held, so never contended;
    /// it exists because Swift wants shared mutable state behind a lock.
    private let state = Locked(State())

    init(factory: @escaping TelemetryClientFactory) { self.factory = factory }

    nonisolated(nonsending)
    func acquire(_ host: HostKey) async throws -> any TelemetryClient {
        let key = host.goKey
        return try await gate.withGate {
            if let client = state.withLock({ state -> (any TelemetryClient)? in
                guard var holder = state.holders[key] else { return nil }
                holder.references += 1
                state.holders[key] = holder
                return holder.client
            }) {
                return client
            }
            let client = factory(host)
            do {
                try await client.start()  // under the global lock: W5
            } catch {
                state.withLock { $0.startFailures += 1 }
                throw TelemetryClientManagerError.startFailed(host: key, underlying: error)
            }
            state.withLock { state in
                state.holders[key] = Holder(client: client, references: 1)
                state.clientsStarted += 1
            }
            return client
        }
    }

    nonisolated(nonsending)
    func release(_ host: HostKey) async {
        let key = host.goKey
        let toClose = await gate.withGate {
            state.withLock { state -> (any TelemetryClient)? in
                guard var holder = state.holders[key] else { return nil }
                holder.references -= 1
                if holder.references <= 0 {  // the Go code also logged "< 0", which deletion at 0 makes impossible
                    state.holders[key] = nil
                    return holder.client
                }
                state.holders[key] = holder
                return nil
            }
        }
        if let toClose {
            await toClose.close()  // outside the lock, as in the Go code
            state.withLock { $0.clientsClosed += 1 }
        }
    }

    func shutdown() async {
        await gate.withGate {
            let holders = state.withLock { state in
                // By host name, so that a simulated run closes them in the same order every time.
                let holders = state.holders.sorted { $0.key < $1.key }.map(\.value)
                state.holders = [:]
                return holders
            }
            for holder in holders {
                await holder.client.close()  // under the global lock, as in the Go code
                state.withLock { $0.clientsClosed += 1 }
            }
        }
    }

    /// Test support: returns once at least `count` acquirers or releasers are queued on the global lock.
    func waitForParkedAcquirers(atLeast count: Int) async {
        await gate.waitForWaiters(atLeast: count)
    }

    func snapshot() -> TelemetryClientManagerStatistics {
        let lockStatistics = gate.statistics
        return state.withLock { state in
            TelemetryClientManagerStatistics(
                policy: .seed,
                liveClients: state.holders.count,
                clientsStarted: state.clientsStarted,
                clientsClosed: state.clientsClosed,
                startFailures: state.startFailures,
                outstandingLeases: state.holders.values.reduce(0) { $0 + max(0, $1.references) },
                doubleReleases: 0,
                leaseSlots: 0,
                locks: [lockStatistics])
        }
    }
}
