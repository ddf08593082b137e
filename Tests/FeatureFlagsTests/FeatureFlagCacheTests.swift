@testable import FeatureFlags
import Testing

/// The Go flag-cache test suite's behaviours, for each policy where they apply.
@Suite struct FeatureFlagCacheTests {
    let clock = ManualFlagClock()

    func makeCache(_ policy: FlagCachePolicy, _ fetcher: ScriptedFlagFetcher,
                   configuration: FlagCacheConfiguration = FlagCacheConfiguration()) -> FeatureFlagCache {
        FeatureFlagCache(policy: policy, fetcher: fetcher, clock: clock, configuration: configuration)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func acquireCountsOneReferencePerLease(policy: FlagCachePolicy) {
        let cache = makeCache(policy, ScriptedFlagFetcher(enabled: true))
        let leases = (0..<3).map { _ in cache.acquire("example.com") }
        #expect(cache.statistics.entries == 1)
        #expect(cache.statistics.outstandingLeases == 3)
        leases[0].release()
        leases[1].release()
        #expect(cache.statistics.outstandingLeases == 1)
        #expect(cache.statistics.referencedEntries == 1)
        leases[2].release()
        #expect(cache.statistics.outstandingLeases == 0)
        #expect(cache.statistics.referencedEntries == 0)
    }

    @Test func seedDeletesTheContextOnTheLastRelease() async throws {
        let cache = makeCache(.seed, ScriptedFlagFetcher(enabled: true))
        let lease = cache.acquire("example.com")
        #expect(try await lease.isEnabled())
        lease.release()
        #expect(cache.statistics.entries == 0)
        #expect(try await cache.isEnabled(host: HostKey("example.com")) == false)
    }

    @Test func recommendedKeepsTheValueAfterTheLastReleaseUntilItExpires() async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        let cache = makeCache(.recommended, fetcher)
        let lease = cache.acquire("example.com")
        #expect(try await lease.isEnabled())
        lease.release()
        #expect(cache.sweep() == 0)
        #expect(cache.statistics.entries == 1)
        #expect(try await cache.isEnabled(host: HostKey("example.com")))
        #expect(fetcher.fetchCount == 1)
        clock.advance(by: .seconds(15 * 60))
        #expect(cache.sweep() == 1)
        #expect(cache.statistics.entries == 0)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func freshValueIsServedWithoutFetching(policy: FlagCachePolicy) async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        let cache = makeCache(policy, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        for _ in 0..<10 { #expect(try await lease.isEnabled()) }
        clock.advance(by: .seconds(14 * 60))
        #expect(try await lease.isEnabled())
        await cache.shutdown()  // let a background refresh, if any, finish
        #expect(fetcher.fetchCount == (policy == .seed ? 1 : 2), "recommended refreshes ahead in the TTL's last 10 %")
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func disabledValueIsCachedLikeAnEnabledOne(policy: FlagCachePolicy) async throws {
        let fetcher = ScriptedFlagFetcher(enabled: false)
        let cache = makeCache(policy, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await lease.isEnabled() == false)
        #expect(try await lease.isEnabled() == false)
        #expect(fetcher.fetchCount == 1)
    }

    @Test func seedRefetchesExactlyWhenTheTTLHasPassed() async throws {
        let fetcher = ScriptedFlagFetcher { _, index in .value(index == 0) }
        let cache = makeCache(.seed, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await lease.isEnabled())
        clock.advance(by: .seconds(15 * 60) - .nanoseconds(1))
        #expect(try await lease.isEnabled())
        #expect(fetcher.fetchCount == 1)
        clock.advance(by: .nanoseconds(1))
        #expect(try await lease.isEnabled() == false)
        #expect(fetcher.fetchCount == 2)
    }

    @Test func recommendedServesStaleAfterExpiryWhileItRefreshes() async throws {
        let fetcher = ScriptedFlagFetcher { _, index in .value(index == 0) }
        let cache = makeCache(.recommended, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await lease.isEnabled())
        clock.advance(by: .seconds(15 * 60))
        #expect(try await lease.isEnabled(), "the stale value while the refresh runs")
        await cache.shutdown()
        #expect(try await lease.isEnabled() == false)
        #expect(fetcher.fetchCount == 2)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func hostWithoutContextAnswersFalseWithoutFetching(policy: FlagCachePolicy) async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        let cache = makeCache(policy, fetcher)
        #expect(try await cache.isEnabled(host: HostKey("nobody.example")) == false)
        #expect(fetcher.fetchCount == 0)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func fetchErrorFallsBackToTheCachedValue(policy: FlagCachePolicy) async throws {
        let fetcher = ScriptedFlagFetcher { _, index in
            index == 0 ? .value(true) : .failure(FlagFetchError(.httpStatus(500)))
        }
        let cache = makeCache(policy, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await lease.isEnabled())
        clock.advance(by: .seconds(16 * 60))
        #expect(try await lease.isEnabled(), "stale value instead of the error")
        await cache.shutdown()
        #expect(try await lease.isEnabled(), "still the stale value")
        #expect(fetcher.fetchCount == (policy == .seed ? 3 : 2), "seed refetches on every check (W7); recommended backs off")
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func fetchErrorWithoutCachedValueIsThrown(policy: FlagCachePolicy) async throws {
        let fetcher = ScriptedFlagFetcher { _, _ in .failure(FlagFetchError(.httpStatus(500))) }
        let cache = makeCache(policy, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        await #expect(throws: FlagFetchError(.httpStatus(500))) { try await lease.isEnabled() }
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func fetchTimeoutFailsTheFetch(policy: FlagCachePolicy) async throws {
        let fetcher = ScriptedFlagFetcher(clock: clock, latency: .seconds(60), enabled: true)
        let cache = makeCache(policy, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        let answer = Task { try await lease.isEnabled() }
        await clock.waitForSleepers(atLeast: 2)  // the fetch's latency and its 10 s timeout
        clock.advance(by: .seconds(10))
        await #expect(throws: FlagFetchError(.timeout, message: "no answer within 10.0 seconds")) { try await answer.value }
        #expect(fetcher.fetchCount == 1)
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func concurrentConnectionsOnManyHostsLeaveNothingBehind(policy: FlagCachePolicy) async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        let cache = makeCache(policy, fetcher)
        let answers = await concurrently(1_000) { index in
            let lease = cache.acquire("host-\(index % 10).example")
            defer { lease.release() }
            return try? await lease.isEnabled()
        }
        #expect(answers.count == 1_000)
        #expect(answers.allSatisfy { $0 != nil }, "no errors")
        #expect(cache.statistics.outstandingLeases == 0)
        await cache.shutdown()
        #expect(cache.statistics.inFlight == 0)
        if policy == .seed {
            #expect(cache.statistics.entries == 0)
        } else {
            #expect(answers.allSatisfy { $0 == true })
            #expect(fetcher.fetchCount == 10, "one fetch per host")
            #expect(cache.statistics.backgroundTasksOutstanding == 0)
        }
    }

    @Test func recommendedHonoursTheServerTTLWithinBounds() async throws {
        let fetcher = ScriptedFlagFetcher { host, _ in
            switch host.normalized {
            case "short.example": .value(true, ttl: .seconds(1))   // below the 10 s floor
            case "long.example": .value(true, ttl: .seconds(86_400))  // above the 1 h ceiling
            default: .value(true, ttl: .seconds(60))
            }
        }
        var configuration = FlagCacheConfiguration()
        configuration.refreshAheadFraction = 0
        let cache = makeCache(.recommended, fetcher, configuration: configuration)
        let leases = ["short.example", "long.example", "plain.example"].map { cache.acquire($0) }
        for lease in leases { #expect(try await lease.isEnabled()) }
        #expect(fetcher.fetchCount == 3)
        clock.advance(by: .seconds(10))
        for lease in leases { _ = try await lease.isEnabled() }
        await cache.shutdown()
        #expect(fetcher.fetchedHosts.last == "short.example", "1 s was raised to the 10 s floor")
        #expect(fetcher.fetchCount == 4)
        clock.advance(by: .seconds(50))
        for lease in leases { _ = try await lease.isEnabled() }
        await cache.shutdown()
        #expect(fetcher.fetchCount == 6, "plain (60 s) and short again")
        clock.advance(by: .seconds(3600 - 60))
        _ = try await leases[1].isEnabled()
        await cache.shutdown()
        #expect(fetcher.fetchedHosts.last == "long.example", "one day was cut to the 1 h ceiling")
        for lease in leases { lease.release() }
    }

    @Test func seedIgnoresTheServerTTL() async throws {
        let fetcher = ScriptedFlagFetcher { _, _ in .value(true, ttl: .seconds(30)) }
        let cache = makeCache(.seed, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        #expect(try await lease.isEnabled())
        clock.advance(by: .seconds(60))
        #expect(try await lease.isEnabled())
        #expect(fetcher.fetchCount == 1)
    }

    @Test func recommendedSweepKeepsMemoryBoundedUnderHostChurn() async throws {
        let fetcher = ScriptedFlagFetcher(enabled: true)
        var configuration = FlagCacheConfiguration()
        configuration.sweepThreshold = 100
        let cache = makeCache(.recommended, fetcher, configuration: configuration)
        for round in 0..<10 {
            for host in 0..<100 {
                let lease = cache.acquire("host-\(round)-\(host).example")
                #expect(try await lease.isEnabled())
                lease.release()
            }
            clock.advance(by: .seconds(15 * 60))
        }
        #expect(fetcher.fetchCount == 1_000)
        #expect(cache.statistics.entries <= 200, "earlier rounds' expired entries were swept")
        cache.sweep()
        #expect(cache.statistics.entries == 0)
    }

    @Test func shutdownWaitsForBackgroundFetches() async throws {
        let fetcher = ScriptedFlagFetcher(clock: clock, latency: .milliseconds(50), enabled: true)
        let cache = makeCache(.recommended, fetcher)
        let lease = cache.acquire("example.com")
        defer { lease.release() }
        async let answer = lease.isEnabled()
        await clock.waitForSleepers(atLeast: 2)
        #expect(cache.statistics.backgroundTasksOutstanding == 1)
        clock.advance(by: .milliseconds(50))
        #expect(try await answer)
        await cache.shutdown()
        #expect(cache.statistics.backgroundTasksOutstanding == 0)
    }

    @Test func recommendedLeaseReleasedTwiceIsCountedAndHarmless() async throws {
        let cache = makeCache(.recommended, ScriptedFlagFetcher(enabled: true))
        let first = cache.acquire("example.com")
        let second = cache.acquire("example.com")
        #expect(first.isOutstanding)
        first.release()
        #expect(first.isOutstanding == false)
        first.release()
        #expect(cache.statistics.doubleReleases == 1)
        #expect(cache.statistics.outstandingLeases == 1)
        #expect(second.isOutstanding)
        second.release()
    }

    @Test func leaseSlotsAreReusedWithoutConfusingOldLeases() {
        let cache = makeCache(.recommended, ScriptedFlagFetcher(enabled: true))
        var stale: [FlagLease] = []
        for _ in 0..<100 {
            let lease = cache.acquire("example.com")
            lease.release()
            stale.append(lease)
        }
        let live = cache.acquire("example.com")
        for lease in stale { lease.release() }  // each one a double release, none touches `live`
        #expect(cache.statistics.doubleReleases == 100)
        #expect(live.isOutstanding)
        #expect(cache.statistics.outstandingLeases == 1)
        live.release()
    }

    @Test(arguments: FlagCachePolicy.allCases)
    func withLeaseReleasesWhenTheBodyThrows(policy: FlagCachePolicy) async {
        struct Boom: Error {}
        let cache = makeCache(policy, ScriptedFlagFetcher(enabled: true))
        await #expect(throws: Boom.self) {
            try await cache.withLease(HostKey("example.com")) { _ in throw Boom() }
        }
        #expect(cache.statistics.outstandingLeases == 0)
    }

    @Test func leaseSlotPoolStaysSmallWhileLongLivedLeasesSitBesideChurn() {
        let cache = makeCache(.recommended, ScriptedFlagFetcher(enabled: true))
        let held = (0..<8).map { _ in cache.acquire("example.com") }
        for _ in 0..<10_000 { cache.acquire("example.com").release() }
        let statistics = cache.statistics
        #expect(statistics.outstandingLeases == 8)
        #expect(statistics.leaseSlots <= 64, "grew to \(statistics.leaseSlots) slots for 9 leases at most")
        for lease in held { lease.release() }
    }

    @Test func checkingAReleasedLeaseThrowsEvenAfterItsEntryWasSwept() async throws {
        let cache = makeCache(.recommended, ScriptedFlagFetcher(enabled: true))
        let lease = cache.acquire("example.com")
        lease.release()
        #expect(cache.sweep() == 1)
        #expect(cache.sweep() == 0)  // the second sweep frees the removed entry's handle
        await #expect(throws: FlagLeaseError.released) { try await lease.isEnabled() }
        #expect(lease.cachedValue == nil)
    }
}
