import Foundation
import StormReport
import Testing

/// The JSON keys users parse (REPORT-SCHEMA.md) are a contract: this pins them.
@Suite struct RunSummaryJSONTests {
    static func object(_ summary: RunSummary) throws -> [String: Any] {
        let data = try JSONEncoder().encode(summary)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func topLevelKeysAreTheSchemas() throws {
        let object = try Self.object(ThresholdExpressionTests.summary())
        let required: Set = ["schema", "scenario", "environment", "duration_ns", "connections", "fetches", "answers",
                             "latency", "contention", "lifecycle", "leaks", "invariants", "thresholds", "verdict"]
        #expect(required.isSubset(of: Set(object.keys)))
        #expect(object["schema"] as? String == "flagstorm.run/1")
        #expect(object["verdict"] as? String == "pass")
    }

    @Test func nestedKeysAreTheSchemas() throws {
        var summary = ThresholdExpressionTests.summary()
        summary.contention["flagCache.registry"] = LockContention(acquisitions: 1, contended: 0, waitP50Nanoseconds: 0,
                                                                 waitP99Nanoseconds: 0, waitMaxNanoseconds: 0, holdP99Nanoseconds: 0)
        let object = try Self.object(summary)
        let latency = try #require((object["latency"] as? [String: Any])?["isEnabled"] as? [String: Any])
        #expect(Set(["count", "p50_ns", "p90_ns", "p99_ns", "p999_ns", "max_ns", "histogram"]).isSubset(of: Set(latency.keys)))
        let lock = try #require((object["contention"] as? [String: Any])?["flagCache.registry"] as? [String: Any])
        #expect(Set(["acquisitions", "contended", "wait_p50_ns", "wait_p99_ns", "wait_max_ns", "hold_p99_ns"]) == Set(lock.keys))
        let fetches = try #require(object["fetches"] as? [String: Any])
        #expect(Set(["total", "minimum", "redundant", "failed", "rateLimited", "peakPerHostPerMinute", "byHost"]).isSubset(of: Set(fetches.keys)))
        let lifecycle = try #require(object["lifecycle"] as? [String: Any])
        #expect(Set(["clientsStarted", "clientsClosed", "peakClientsPerHost", "clientsClosedWhileInUse", "eventsAfterClose", "doubleReleases"]).isSubset(of: Set(lifecycle.keys)))
        let leaks = try #require(object["leaks"] as? [String: Any])
        #expect(Set(["cacheEntriesAfterDrain", "clientsAfterDrain", "leasesOutstanding", "tasksOutstanding", "allocatedBytesGrowth", "fdGrowth"]).isSubset(of: Set(leaks.keys)))
    }

    @Test func redundantIsTotalMinusMinimumAndNeverNegative() {
        #expect(FetchCounts(total: 5, minimum: 2).redundant == 3)
        #expect(FetchCounts(total: 1, minimum: 4).redundant == 0)
    }

    @Test func aSummaryRoundTrips() throws {
        let summary = ThresholdExpressionTests.summary(redundant: 3)
        let decoded = try JSONDecoder().decode(RunSummary.self, from: JSONEncoder().encode(summary))
        #expect(decoded == summary)
    }
}
