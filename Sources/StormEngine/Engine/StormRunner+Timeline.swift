import FeatureFlags
import FlagServer
import Foundation
import StormReport

/// One reading of the sampler: when, and how many connections and telemetry clients were live.
struct LiveSample: Sendable {
    /// Precise monotonic nanoseconds.
    var time: UInt64
    var connections: Int
    var clients: Int
}

extension StormRunner {
    /// Buckets a timeline holds at most; the bucket width is the run's length over this, rounded up to a round number.
    static let timelineBuckets = 120

    /// The run over time: live counts from the sampler, fetches and 429s from the server's journal, and
    /// for the busiest hosts their fetches beside the TTL windows that opened (the minimum), per bucket.
    func timeline(journal: [FlagServerJournalEntry], finishedAt: UInt64) -> RunTimeline {
        let length = finishedAt > origin ? finishedAt &- origin : 1
        let width = Self.bucketWidth(forLength: length, buckets: Self.timelineBuckets)
        let count = Int((length + width - 1) / width)
        func bucket(_ time: UInt64) -> Int? {
            guard time >= origin else { return nil }
            let index = Int((time &- origin) / width)
            return index < count ? index : count - 1
        }

        var liveConnections = Array(repeating: 0, count: count)
        var liveClients = Array(repeating: 0, count: count)
        var sampled = Array(repeating: false, count: count)
        // The sampler's readings, and one at the end (after the drain).
        let end = LiveSample(time: finishedAt, connections: live.load(ordering: .relaxed),
                             clients: ledger.liveClientCount.load(ordering: .relaxed))
        for sample in liveSamples.withLock({ $0 }) + [end] {
            guard let index = bucket(sample.time) else { continue }
            liveConnections[index] = sampled[index] ? max(liveConnections[index], sample.connections) : sample.connections
            liveClients[index] = sampled[index] ? max(liveClients[index], sample.clients) : sample.clients
            sampled[index] = true
        }
        // A bucket the sampler missed (it reads every 50 ms, and a busy machine delays it) holds
        // the previous reading, not a false drop to zero.
        for index in 1..<max(count, 1) where !sampled[index] {
            liveConnections[index] = liveConnections[index - 1]
            liveClients[index] = liveClients[index - 1]
        }

        var fetches = Array(repeating: 0, count: count)
        var rateLimited = Array(repeating: 0, count: count)
        var byHost: [String: [Int]] = [:]
        var hostTotals: [String: Int] = [:]
        for entry in journal {
            guard let index = bucket(entry.arrival.nanoseconds) else { continue }
            fetches[index] += 1
            if case .rateLimited = entry.outcome { rateLimited[index] += 1 }
            hostTotals[entry.host, default: 0] += 1
        }
        let busiest = hostTotals.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(RunTimeline.maximumHosts).map(\.key)
        let busiestSet = Set(busiest)
        for entry in journal where busiestSet.contains(entry.host) {
            guard let index = bucket(entry.arrival.nanoseconds) else { continue }
            byHost[entry.host, default: Array(repeating: 0, count: count)][index] += 1
        }
        let probes = Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let hostTimelines = busiest.map { name in
            var minimum = Array(repeating: 0, count: count)
            for start in probes[name]?.windowStarts ?? [] {
                if let index = bucket(start) { minimum[index] += 1 }
            }
            return HostTimeline(host: name, fetches: byHost[name] ?? Array(repeating: 0, count: count), minimum: minimum)
        }

        func perSecond(_ limit: FlagServerRateLimit?) -> Double? {
            guard let limit, limit.window > .zero else { return nil }
            return Double(limit.requests) / (Double(limit.window.flagNanoseconds) / 1e9)
        }
        return RunTimeline(bucketNanoseconds: Int64(width), liveConnections: liveConnections, liveClients: liveClients,
                           fetches: fetches, rateLimited: rateLimited, hosts: hostTimelines,
                           perHostLimitPerSecond: perSecond(settings.server.rateLimits.perHost),
                           globalLimitPerSecond: perSecond(settings.server.rateLimits.global))
    }

    /// The narrowest round width (1, 2 or 5 times a power of ten, in milliseconds, at least 100 ms, so
    /// that the sampler's 50 ms readings fall in every bucket) that
    /// covers `length` nanoseconds in at most `buckets` buckets.
    static func bucketWidth(forLength length: UInt64, buckets: Int) -> UInt64 {
        let needed = max(length / UInt64(max(buckets, 1)), 1)
        var decade: UInt64 = 100_000_000
        while true {
            for step: UInt64 in [1, 2, 5] where decade * step >= needed { return decade * step }
            decade *= 10
        }
    }
}

extension DurationBuckets {
    /// The report's copy of a core lock histogram (same encoding), or `nil` if it cannot be transcoded.
    init?(_ histogram: DurationHistogram) {
        guard let data = try? JSONEncoder().encode(histogram),
              let buckets = try? JSONDecoder().decode(DurationBuckets.self, from: data) else { return nil }
        self = buckets
    }
}

extension DurationHistogram {
    /// The core histogram a report's buckets describe (to merge shard reports exactly).
    init(_ buckets: DurationBuckets) throws {
        self = try JSONDecoder().decode(DurationHistogram.self, from: JSONEncoder().encode(buckets))
    }
}
