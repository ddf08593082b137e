@testable import FeatureFlags
import Testing

/// The Go client-manager test suite's behaviours, for each policy.
@Suite struct TelemetryClientManagerTests {
    let recorder = ClientFactoryRecorder()

    func makeManager(_ policy: FlagCachePolicy) -> TelemetryClientManager {
        TelemetryClientManager(policy: policy, factory: recorder.factory)
    }

    @Test func sharedInstanceIsOneInstance() {
        #expect(TelemetryClientManager.shared === TelemetryClientManager.shared)
        #expect(TelemetryClientManager.shared.policy == .recommended)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func acquireCreatesOnceAndReusesTheClient(policy: FlagCachePolicy) async throws {
        let manager = makeManager(policy)
        let first = try await manager.acquire("example.com")
        let second = try await manager.acquire("example.com")
        #expect(first.client === second.client)
        #expect(recorder.clients.count == 1)
        #expect(recorder.clients[0].startCount == 1)
        #expect(manager.statistics.outstandingLeases == 2)
        await first.release()
        await second.release()
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func differentHostsGetDifferentClients(policy: FlagCachePolicy) async throws {
        let manager = makeManager(policy)
        let a = try await manager.acquire("a.example")
        let b = try await manager.acquire("b.example")
        #expect(a.client !== b.client)
        #expect(manager.statistics.liveClients == 2)
        await a.release()
        #expect(manager.statistics.liveClients == 1)
        await b.release()
        #expect(manager.statistics.liveClients == 0)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func lastReleaseClosesTheClientOncePartialReleaseDoesNot(policy: FlagCachePolicy) async throws {
        let manager = makeManager(policy)
        let leases = [try await manager.acquire("example.com"), try await manager.acquire("example.com"),
                      try await manager.acquire("example.com")]
        let client = recorder.clients[0]
        await leases[0].release()
        await leases[1].release()
        #expect(client.closeCount == 0, "partial release keeps the client")
        #expect(manager.statistics.liveClients == 1)
        await leases[2].release()
        #expect(client.closeCount == 1)
        #expect(client.startCount == 1)
        #expect(manager.statistics.liveClients == 0)
        #expect(manager.statistics.clientsStarted == 1)
        #expect(manager.statistics.clientsClosed == 1)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func releasingAHostThatIsGoneDoesNothing(policy: FlagCachePolicy) async throws {
        let manager = makeManager(policy)
        let lease = try await manager.acquire("example.com")
        await manager.shutdown()
        await lease.release()  // the host is no longer registered
        #expect(recorder.clients[0].closeCount == 1, "not closed a second time")
        #expect(manager.statistics.liveClients == 0)
        #expect(manager.statistics.clientsClosed == 1)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func failedStartStoresNothingAndTheNextAcquireRetries(policy: FlagCachePolicy) async throws {
        let manager = makeManager(policy)
        recorder.failStart(of: "example.com")
        await #expect(throws: TelemetryClientManagerError.self) { try await manager.acquire("example.com") }
        #expect(manager.statistics.liveClients == 0)
        #expect(manager.statistics.startFailures == 1)
        recorder.failStart(of: "example.com", false)
        let lease = try await manager.acquire("example.com")
        #expect(recorder.clients.count == 2)
        #expect(lease.client === recorder.clients[1])
        await lease.release()
    }

    @Test func recommendedParkedAcquirersShareAFailedStart() async throws {
        let manager = makeManager(.recommended)
        let latch = Latch()
        recorder.holdStart(of: "example.com", on: latch)
        recorder.failStart(of: "example.com")
        let first = Task { try await manager.acquire("example.com") }
        await latch.waitForArrivals(1)
        let second = Task { try await manager.acquire("example.com") }
        await manager.waitForParkedAcquirers(atLeast: 1)
        latch.open()
        await #expect(throws: TelemetryClientManagerError.self) { try await first.value }
        await #expect(throws: TelemetryClientManagerError.self) { try await second.value }
        #expect(recorder.clients.count == 1, "one start attempt for both")
        #expect(manager.statistics.liveClients == 0)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func shutdownWithoutReferencesLeavesNothing(policy: FlagCachePolicy) async throws {
        let manager = makeManager(policy)
        await manager.shutdown()
        #expect(manager.statistics.liveClients == 0)
        #expect(recorder.clients.isEmpty)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func shutdownWithActiveReferencesClosesEveryClientOnce(policy: FlagCachePolicy) async throws {
        let manager = makeManager(policy)
        var leases: [ClientLease] = []
        for host in ["a.example", "b.example", "c.example"] {
            leases.append(try await manager.acquire(host))
            leases.append(try await manager.acquire(host))
        }
        await manager.shutdown()
        #expect(manager.statistics.liveClients == 0)
        #expect(recorder.clients.count == 3)
        #expect(recorder.clients.allSatisfy { $0.closeCount == 1 })
        // A new acquire after shutdown builds a new client.
        let again = try await manager.acquire("a.example")
        #expect(recorder.clients.count == 4)
        await again.release()
    }

    @Test(arguments: [
        (FlagCachePolicy.seed, ["example.com", "EXAMPLE.COM", "https://example.com", "http://Example.com/"], 1),
        (.seed, ["example.com", "example.com.", "example.com:443"], 3),
        (.recommended, ["example.com", "EXAMPLE.COM", "https://example.com/", "example.com.", "example.com:443",
                        "https://example.com:443/path"], 1),
        (.recommended, ["example.com", "example.com:8443", "http://example.com:443"], 3),
    ])
    func hostVariantsShareOneClientWhenTheirKeysMatch(
        policy: FlagCachePolicy, spellings: [String], expectedClients: Int
    ) async throws {
        let manager = makeManager(policy)
        var leases: [ClientLease] = []
        for spelling in spellings { leases.append(try await manager.acquire(spelling)) }
        #expect(recorder.clients.count == expectedClients)
        for lease in leases { await lease.release() }
        #expect(recorder.clients.allSatisfy { $0.closeCount == 1 })
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func concurrentAcquireAndReleaseStartAndCloseEachClientOnce(policy: FlagCachePolicy) async throws {
        let manager = makeManager(policy)
        let holders = try await (0..<10).asyncMap { try await manager.acquire("host-\($0).example") }
        // 1,000 connections come and go while each host keeps one holder: no client restarts.
        _ = await concurrently(1_000) { index in
            guard let lease = try? await manager.acquire("host-\(index % 10).example") else { return false }
            lease.record(TelemetryEvent(name: "query"))
            await lease.release()
            return true
        }
        #expect(recorder.clients.count == 10)
        #expect(recorder.clients.allSatisfy { $0.startCount == 1 && $0.closeCount == 0 && $0.eventCount == 100 })
        for holder in holders { await holder.release() }
        #expect(recorder.clients.allSatisfy { $0.closeCount == 1 && $0.eventsAfterClose == 0 })
        #expect(manager.statistics.outstandingLeases == 0)
    }

    @Test func leasesOutlivingShutdownReleaseCleanlyAndLeaveNothing() async throws {
        let manager = makeManager(.recommended)
        let leases = [try await manager.acquire("example.com"), try await manager.acquire("example.com")]
        let firstClient = leases[0].client
        await manager.shutdown()
        leases[0].record(TelemetryEvent(name: "late"))
        #expect(recorder.clients[0].eventsAfterClose == 1, "the lease still reaches its (closed) client")
        for lease in leases { await lease.release() }
        let again = try await manager.acquire("example.com")
        #expect(again.client !== firstClient)
        await again.release()
        #expect(manager.statistics.outstandingLeases == 0)
        #expect(manager.statistics.liveClients == 0)
        #expect(recorder.clients.map(\.closeCount) == [1, 1])
    }

    @Test func withClientReleasesWhenTheBodyThrows() async throws {
        struct Boom: Error {}
        let manager = makeManager(.recommended)
        await #expect(throws: Boom.self) {
            try await manager.withClient(HostKey("example.com")) { _ in throw Boom() }
        }
        #expect(recorder.clients[0].closeCount == 1)
        #expect(manager.statistics.outstandingLeases == 0)
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
